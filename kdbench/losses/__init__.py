"""Distillation losses (registered in ``kdbench.registry.MODELS``)."""
from .attention_transfer import ATLoss
from .base import DistillLoss
from .hint import HintLoss
from .kd import KDLoss
from .nst import NSTLoss
from .rkd import RKDLoss

__all__ = ['DistillLoss', 'KDLoss', 'HintLoss', 'ATLoss', 'NSTLoss',
           'RKDLoss']
