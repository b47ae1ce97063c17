"""Tiny networks: sliceable backbones and the NetAug / NetDistiller
training schemes (METHODS §5)."""
from .dynamic_ops import DynamicBatchNorm2d, DynamicConv2d, DynamicLinear
from .hooks import NetAugScheduleHook
from .mobilenet_v2 import SliceableMobileNetV2, make_divisible
from .netaug import NetAugClassifier

__all__ = ['DynamicBatchNorm2d', 'DynamicConv2d', 'DynamicLinear',
           'NetAugClassifier', 'NetAugScheduleHook', 'SliceableMobileNetV2',
           'make_divisible']
