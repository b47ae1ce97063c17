"""Tiny networks: sliceable backbones and the NetAug / NetDistiller
training schemes (METHODS §5)."""
from .dynamic_ops import DynamicBatchNorm2d, DynamicConv2d, DynamicLinear
from .hooks import NetAugScheduleHook, NetDistillerScheduleHook
from .mobilenet_v2 import SliceableMobileNetV2, make_divisible
from .gradient_surgery import project_conflicting
from .netaug import NetAugClassifier
from .netdistiller import NetDistillerClassifier, entropy_bits
from .transfer_head import DropoutLinearClsHead

__all__ = ['DropoutLinearClsHead', 'DynamicBatchNorm2d', 'DynamicConv2d',
           'DynamicLinear',
           'NetAugClassifier', 'NetAugScheduleHook', 'NetDistillerClassifier',
           'NetDistillerScheduleHook',
           'SliceableMobileNetV2', 'entropy_bits', 'make_divisible',
           'project_conflicting']
