"""The classifier input of a tiny network whose final 1x1 conv widens
(NetAug's augmented networks, NetDistiller's weight-sharing teacher)."""
from typing import Dict

import torch
from torch import nn

from .dynamic_ops import DynamicLinear
from .mobilenet_v2 import SliceableMobileNetV2


def widen_classifier_input(head: nn.Module,
                           backbone: SliceableMobileNetV2) -> None:
    """Give ``head.fc`` the input features of the backbone's widest final
    conv, as a :class:`DynamicLinear` that uses the first features it is
    given: the tiny network's classifier is the first
    ``backbone.group_channels(8)`` columns (NetAug's ``DynamicLinearLayer``
    in mit-han-lab/tinyml). A head already that wide is left as it is."""
    fc = getattr(head, 'fc', None)
    if not isinstance(fc, nn.Linear):
        raise TypeError(
            f'A sliceable tiny network needs a head whose `fc` is an '
            f'nn.Linear on the final conv (e.g. mmpretrain LinearClsHead, '
            f'in_channels={backbone.group_channels(8)}); got '
            f'{type(head).__name__}.')
    widest = backbone.group_channels(8, backbone.width_mults[-1])
    if fc.in_features == widest and isinstance(fc, DynamicLinear):
        return
    if fc.in_features != backbone.group_channels(8):
        raise ValueError(
            f'head.fc takes {fc.in_features} features but the tiny '
            f"network's final conv gives {backbone.group_channels(8)}: set "
            f'the head in_channels={backbone.group_channels(8)}.')
    head.fc = DynamicLinear(widest, fc.out_features, bias=fc.bias is not None)


def base_classifier_state(state: Dict[str, torch.Tensor],
                          backbone: SliceableMobileNetV2,
                          prefix: str = 'head.fc.') -> None:
    """Cut ``state``'s ``head.fc.weight`` to the tiny network's input
    features, in place (the deployed classifier's shape)."""
    key = prefix + 'weight'
    if key in state:
        state[key] = state[key][:, :backbone.group_channels(8)].clone()
