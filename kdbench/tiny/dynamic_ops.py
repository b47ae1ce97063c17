"""Layers that run at any width up to the one they were built with, by
slicing their leading channels (the weight sharing of NetAug and
NetDistiller: a narrower network is the first channels of a wider one).

Each layer holds the widest weights; ``active_out`` (and, for the
convolution, the input width it is given) selects the slice. Slices are
views, so gradients and BN running-statistics updates land in the shared
tensors.
"""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class DynamicConv2d(nn.Conv2d):
    """``nn.Conv2d`` (bias-free) that uses ``weight[:active_out, :in]``,
    ``in`` being the channels of its input; depth-wise (``groups ==
    in_channels == out_channels``) convolutions slice both to the input
    width."""

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int, stride: int = 1, depthwise: bool = False):
        super().__init__(in_channels, out_channels, kernel_size, stride,
                         padding=kernel_size // 2,
                         groups=in_channels if depthwise else 1, bias=False)
        self.depthwise = depthwise
        self.active_out = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width = x.shape[1]
        if self.depthwise:
            weight = self.weight[:width]
            return F.conv2d(x, weight, None, self.stride, self.padding,
                            self.dilation, width)
        if width > self.in_channels or self.active_out > self.out_channels:
            raise ValueError(
                f'{type(self).__name__}: input width {width} / output width '
                f'{self.active_out} exceed the built {self.in_channels} / '
                f'{self.out_channels} channels; build the network with '
                f'larger multipliers.')
        weight = self.weight[:self.active_out, :width]
        return F.conv2d(x, weight, None, self.stride, self.padding,
                        self.dilation, 1)


class DynamicBatchNorm2d(nn.Module):
    """BatchNorm over the leading channels of its input, with one or more
    *sets* of affine parameters and running statistics (``norm_sets``).

    NetAug shares one set between all widths; NetDistiller keeps separate
    sets for the student and its weight-sharing teacher. ``active_set``
    selects the set; every set is an ``nn.BatchNorm2d`` of the full width
    whose slices are used, so its statistics stay per channel.
    """

    def __init__(self, num_features: int,
                 norm_sets: Sequence[str] = ('default', ),
                 momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.num_features = num_features
        self.norms = nn.ModuleDict({
            name: nn.BatchNorm2d(num_features, eps=eps, momentum=momentum)
            for name in norm_sets})
        self.active_set = next(iter(self.norms))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bn = self.norms[self.active_set]
        width = x.shape[1]
        if width == bn.num_features:
            return bn(x)
        use_batch = bn.training or not bn.track_running_stats
        momentum = bn.momentum
        if bn.training and bn.track_running_stats:
            bn.num_batches_tracked.add_(1)
            if momentum is None:  # cumulative average, as nn.BatchNorm2d
                momentum = 1.0 / float(bn.num_batches_tracked)
        return F.batch_norm(
            x, bn.running_mean[:width], bn.running_var[:width],
            bn.weight[:width], bn.bias[:width], use_batch,
            momentum or 0.0, bn.eps)


class DynamicLinear(nn.Linear):
    """``nn.Linear`` that uses the first input features it is given."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width = x.shape[-1]
        return F.linear(x, self.weight[:, :width], self.bias)


def set_norm_set(module: nn.Module, name: str) -> None:
    """Make every DynamicBatchNorm2d below ``module`` use set ``name``."""
    for m in module.modules():
        if isinstance(m, DynamicBatchNorm2d):
            if name not in m.norms:
                raise KeyError(f'no norm set {name!r}; the network has '
                               f'{list(m.norms)}')
            m.active_set = name
