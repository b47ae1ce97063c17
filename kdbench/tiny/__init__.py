"""Tiny networks: sliceable backbones and the NetAug / NetDistiller
training schemes (METHODS §5)."""
from .dynamic_ops import DynamicBatchNorm2d, DynamicConv2d, DynamicLinear
from .mobilenet_v2 import SliceableMobileNetV2, make_divisible

__all__ = ['DynamicBatchNorm2d', 'DynamicConv2d', 'DynamicLinear',
           'SliceableMobileNetV2', 'make_divisible']
