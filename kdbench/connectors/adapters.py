"""Connectors: trainable or fixed maps applied to a student tap before its
loss, discarded at inference (FitNets' regressor, SSKD's a_i, ...).

A connector is called as ``connector(student, teacher)`` and returns the
adapted student tensor; the teacher tensor is passed for shape targets only.
Channel counts left as ``None`` are filled in by the distiller from the
tapped modules (see :func:`~kdbench.connectors.channels.infer_out_channels`).
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from kdbench.registry import MODELS


@MODELS.register_module()
class ConvAdapter(nn.Module):
    """1×1 (or k×k) conv + optional BN mapping student to teacher channels.

    FitNets' regressor (Romero et al. 2015, Sec. 2.2) in the joint variant
    used by mmrazor: conv then BN, no activation.

    Args:
        in_channels / out_channels: student / teacher channels; inferred from
            the taps when ``None``.
        kernel_size: odd kernel size, padded to keep the spatial size.
        norm: append a BatchNorm.
    """

    needs_channels = True

    def __init__(self, in_channels: Optional[int] = None,
                 out_channels: Optional[int] = None, kernel_size: int = 1,
                 norm: bool = True):
        super().__init__()
        if in_channels is None or out_channels is None:
            raise ValueError(
                'ConvAdapter needs in_channels and out_channels; the '
                'distiller infers them from the taps, or set them explicitly.')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size,
                              padding=kernel_size // 2, bias=not norm)
        self.bn = nn.BatchNorm2d(out_channels) if norm else nn.Identity()

    def forward(self, student: torch.Tensor,
                teacher: Optional[torch.Tensor] = None) -> torch.Tensor:
        return self.bn(self.conv(student))


@MODELS.register_module()
class LinearAdapter(nn.Module):
    """Linear map of (N, C) student features to the teacher's width."""

    needs_channels = True

    def __init__(self, in_channels: Optional[int] = None,
                 out_channels: Optional[int] = None, bias: bool = True):
        super().__init__()
        if in_channels is None or out_channels is None:
            raise ValueError('LinearAdapter needs in_channels and '
                             'out_channels (inferred by the distiller).')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.fc = nn.Linear(in_channels, out_channels, bias=bias)

    def forward(self, student, teacher=None):
        return self.fc(student)


@MODELS.register_module()
class Resize(nn.Module):
    """Resize a student map to the teacher's spatial size (no parameters).

    Args:
        mode: interpolation mode of :func:`torch.nn.functional.interpolate`.
    """

    needs_channels = False

    def __init__(self, mode: str = 'bilinear'):
        super().__init__()
        self.mode = mode

    def forward(self, student, teacher):
        size = teacher.shape[2:]
        if student.shape[2:] == size:
            return student
        align = False if self.mode in ('bilinear', 'bicubic') else None
        return F.interpolate(student, size=size, mode=self.mode,
                             align_corners=align)
