"""Infer the channel count a module outputs, from its structure alone.

Used to size connectors at build time (before the optimizer exists), so a
config can say ``connector=dict(type='kdbench.ConvAdapter')`` without channel
numbers. The first batch verifies the guess (see the distiller's shape check).
"""
from typing import Optional

from torch import nn

_NO_CHANNEL_CHANGE = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.GELU, nn.SiLU,
                      nn.Hardswish, nn.Sigmoid, nn.Identity, nn.Dropout,
                      nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
                      nn.Upsample)
_SKIPPED_BRANCHES = ('downsample', 'shortcut', 'skip', 'identity')


def infer_out_channels(module: nn.Module) -> Optional[int]:
    """Channels of ``module``'s output, or ``None`` when not inferable."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return module.out_channels
    if isinstance(module, nn.modules.batchnorm._NormBase):
        return module.num_features
    if isinstance(module, nn.GroupNorm):
        return module.num_channels
    if isinstance(module, nn.Linear):
        return module.out_features
    if isinstance(module, nn.LayerNorm):
        return int(module.normalized_shape[-1])
    declared = getattr(module, 'out_channels', None)
    if isinstance(declared, int):
        return declared
    children = [(name, child) for name, child in module.named_children()
                if not name.startswith(_SKIPPED_BRANCHES)
                and not isinstance(child, _NO_CHANNEL_CHANGE)]
    for _, child in reversed(children):
        channels = infer_out_channels(child)
        if channels is not None:
            return channels
    return None
