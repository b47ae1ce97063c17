"""MobileNetV2 whose every stage and block can run narrower than it was
built, by slicing shared weights (NetAug, NetDistiller; METHODS §5)."""
import copy
import random
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from kdbench.registry import MODELS
from .dynamic_ops import DynamicBatchNorm2d, DynamicConv2d, set_norm_set


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round ``value`` to a multiple of ``divisor`` (at least ``divisor``,
    and not below 90 % of ``value``), as MobileNetV2 and NetAug do."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


class ConvBN(nn.Module):
    """DynamicConv2d -> DynamicBatchNorm2d (-> ReLU6)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 depthwise=False, act=True, norm_sets=('default', )):
        super().__init__()
        self.conv = DynamicConv2d(in_channels, out_channels, kernel_size,
                                  stride, depthwise)
        self.bn = DynamicBatchNorm2d(out_channels, norm_sets)
        self.act = nn.ReLU6(inplace=True) if act else None

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.act(x) if self.act is not None else x


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand (when the ratio is not 1), 3x3
    depth-wise, 1x1 linear projection; residual when the stride is 1 and the
    block is not the first of its stage (input and output then share one
    width multiplier, so they stay equal at every width)."""

    def __init__(self, in_channels, hidden_channels, out_channels, stride,
                 expand: bool, residual: bool, norm_sets):
        super().__init__()
        self.expand = ConvBN(in_channels, hidden_channels, 1,
                             norm_sets=norm_sets) if expand else None
        self.depthwise = ConvBN(hidden_channels, hidden_channels, 3, stride,
                                depthwise=True, norm_sets=norm_sets)
        self.project = ConvBN(hidden_channels, out_channels, 1, act=False,
                              norm_sets=norm_sets)
        self.residual = residual

    def forward(self, x):
        out = self.expand(x) if self.expand is not None else x
        out = self.project(self.depthwise(out))
        return x + out if self.residual else out


@MODELS.register_module()
class SliceableMobileNetV2(BaseModule):
    """MobileNetV2 built at its widest (``max(width_mults)`` per stage,
    ``max(expand_mults)`` per block) that runs at any active configuration:
    each width group (stem, the seven stages, the final 1x1 conv) at
    ``widen_factor × arch channels × its width multiplier``, each block's
    hidden width at ``input × expand ratio × its expand multiplier``, all
    rounded to multiples of 8. The *base* configuration (every multiplier
    1.0) is the tiny network itself.

    Registered in kdbench's registry (a child of mmengine's root), so
    mmpretrain, mmdet and mmseg configs use it as
    ``type='kdbench.SliceableMobileNetV2'``. ``out_indices`` are
    mmpretrain's: 0-6 the seven stages, 7 the final 1x1 conv.

    ``norm_sets``: names of separate BatchNorm sets (NetDistiller's student
    and teacher); :meth:`use_norm_set` switches them. :meth:`export`
    returns the static base network (``width_mults=expand_mults=(1.0,)``,
    one norm set), whose state dict loads into that plain backbone.

    Which channels are shared: the first ones of every layer (NetAug's code;
    NetDistiller does not say, METHODS §5.2).
    """

    arch_settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2],
                     [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                     [6, 320, 1, 1]]
    num_groups = 9  # stem, 7 stages, final conv

    def __init__(self,
                 widen_factor: float = 0.35,
                 width_mults: Sequence[float] = (1.0, ),
                 expand_mults: Sequence[float] = (1.0, ),
                 out_indices: Sequence[int] = (7, ),
                 last_channels: int = 1280,
                 arch_settings: Optional[List[List[int]]] = None,
                 norm_sets: Sequence[str] = ('default', ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=dict(type='Kaiming', layer='Conv2d',
                               distribution='uniform')):
        super().__init__(init_cfg)
        for index in out_indices:
            if index not in range(8):
                raise ValueError(f'out_indices must lie in 0..7 (7 = the '
                                 f'final conv), got {tuple(out_indices)}')
        if min(width_mults) != 1.0 or min(expand_mults) != 1.0:
            raise ValueError('width_mults and expand_mults must contain '
                             '1.0 as their smallest value (the tiny network)')
        self.widen_factor = widen_factor
        self.width_mults = tuple(sorted(width_mults))
        self.expand_mults = tuple(sorted(expand_mults))
        self.out_indices = tuple(out_indices)
        self.last_channels = last_channels
        self.arch = copy.deepcopy(arch_settings or self.arch_settings)
        self.norm_sets = tuple(norm_sets)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self._build_kwargs = dict(widen_factor=widen_factor,
                                  out_indices=self.out_indices,
                                  last_channels=last_channels,
                                  arch_settings=self.arch,
                                  frozen_stages=frozen_stages,
                                  norm_eval=norm_eval)

        top_w, top_e = self.width_mults[-1], self.expand_mults[-1]
        in_max = self.group_channels(0, top_w)
        self.conv1 = ConvBN(3, in_max, 3, stride=2, norm_sets=self.norm_sets)
        self.layers = []
        for stage, (ratio, _, num_blocks, stride) in enumerate(self.arch):
            out_max = self.group_channels(stage + 1, top_w)
            blocks = []
            for i in range(num_blocks):
                # no expansion layer at ratio 1: the hidden width is the input
                hidden = make_divisible(in_max * ratio * top_e) \
                    if ratio != 1 else in_max
                blocks.append(InvertedResidual(
                    in_max, hidden, out_max,
                    stride if i == 0 else 1, expand=ratio != 1,
                    residual=i > 0,
                    norm_sets=self.norm_sets))
                in_max = out_max
            name = f'layer{stage + 1}'
            self.add_module(name, nn.Sequential(*blocks))
            self.layers.append(name)
        # the final 1x1 conv widens too, as in NetAug's official code (its
        # classifier then reads the first features: see
        # kdbench.tiny.sliceable_classifier)
        self.conv2 = ConvBN(in_max, self.group_channels(8, top_w), 1,
                            norm_sets=self.norm_sets)
        self.blocks = [b for name in self.layers for b in getattr(self, name)]
        self.set_base()

    # ------------------------------------------------------------ widths
    def group_channels(self, group: int, width_mult: float = 1.0) -> int:
        """Channels of width group ``group`` at ``width_mult``."""
        if group == 0:
            base = 32 * self.widen_factor
        elif group == 8:
            base = self.last_channels * max(1.0, self.widen_factor)
        else:
            base = self.arch[group - 1][1] * self.widen_factor
        return make_divisible(base * width_mult)

    @property
    def out_channels(self) -> List[int]:
        """Base channels of each output index (for necks and heads)."""
        return [self.group_channels(i + 1) for i in self.out_indices]

    def set_active(self, width: Union[float, Sequence[float]] = 1.0,
                   expand: Union[float, Sequence[float]] = 1.0) -> None:
        """Activate a configuration: ``width`` is one multiplier for every
        width group or one per group (9: stem, seven stages, final conv),
        ``expand`` one or one per block."""
        widths = [width] * self.num_groups if isinstance(
            width, (int, float)) else list(width)
        expands = [expand] * len(self.blocks) if isinstance(
            expand, (int, float)) else list(expand)
        if len(widths) != self.num_groups or \
                len(expands) != len(self.blocks):
            raise ValueError(
                f'set_active needs {self.num_groups} width multipliers and '
                f'{len(self.blocks)} expand multipliers, got {len(widths)} '
                f'and {len(expands)}')
        self.active_width, self.active_expand = widths, expands
        channels = self.group_channels(0, widths[0])
        self.conv1.conv.active_out = channels
        k = 0
        for stage, (ratio, _, num_blocks, _) in enumerate(self.arch):
            out = self.group_channels(stage + 1, widths[stage + 1])
            for block in getattr(self, self.layers[stage]):
                hidden = make_divisible(channels * ratio * expands[k])
                if block.expand is not None:
                    block.expand.conv.active_out = hidden
                block.project.conv.active_out = out
                channels = out
                k += 1
        self.conv2.conv.active_out = self.group_channels(8, widths[8])

    def set_base(self) -> None:
        """The tiny network itself: every multiplier 1.0."""
        self.set_active(1.0, 1.0)

    def sample_active(self, width_mults: Optional[Sequence[float]] = None,
                      expand_mults: Optional[Sequence[float]] = None,
                      rng: Optional[random.Random] = None) -> dict:
        """Activate a random configuration: each width group and each block
        picks its multiplier independently (NetAug). Returns it."""
        rng = rng or random
        widths = [rng.choice(width_mults or self.width_mults)
                  for _ in range(self.num_groups)]
        expands = [rng.choice(expand_mults or self.expand_mults)
                   for _ in self.blocks]
        self.set_active(widths, expands)
        return dict(width=widths, expand=expands)

    @torch.no_grad()
    def sort_channels(self) -> List[tuple]:
        """Reorder every block's hidden channels by importance (L1 norm of
        the projection weights reading them, largest first), so the
        narrower configurations keep the most important ones (NetAug's
        channel sorting, as OFA's ``re_organize_middle_weights``). The full
        network computes the same function afterwards.

        Returns ``(parameter, dim, permutation)`` for every permuted
        parameter, so optimizer states can follow."""
        moved = []

        def permute(tensor, dim, order, is_param=True):
            tensor.copy_(tensor.index_select(dim, order))
            if is_param:
                moved.append((tensor, dim, order))

        for block in self.blocks:
            if block.expand is None:
                continue
            weight = block.project.conv.weight
            order = weight.abs().sum(dim=(0, 2, 3)).argsort(descending=True)
            permute(block.expand.conv.weight, 0, order)
            permute(block.depthwise.conv.weight, 0, order)
            permute(weight, 1, order)
            for layer in (block.expand.bn, block.depthwise.bn):
                for bn in layer.norms.values():
                    permute(bn.weight, 0, order)
                    permute(bn.bias, 0, order)
                    permute(bn.running_mean, 0, order, is_param=False)
                    permute(bn.running_var, 0, order, is_param=False)
        return moved

    def use_norm_set(self, name: str) -> None:
        set_norm_set(self, name)

    # ----------------------------------------------------------- forward
    def forward(self, x):
        x = self.conv1(x)
        outs = []
        for i, name in enumerate(self.layers):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        if 7 in self.out_indices:
            outs.append(self.conv2(x))
        return tuple(outs)

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        return self

    def _freeze_stages(self) -> None:
        parts = [self.conv1] + [getattr(self, n) for n in self.layers]
        for part in parts[:self.frozen_stages + 1]:
            part.eval()
            for p in part.parameters():
                p.requires_grad = False

    # ------------------------------------------------------------ export
    def export(self, norm_set: Optional[str] = None) -> 'SliceableMobileNetV2':
        """The static tiny network: a plain ``SliceableMobileNetV2`` (every
        multiplier list ``(1.0,)``, one norm set ``'default'``) holding the
        base slices of this one's weights and of norm set ``norm_set``
        (default: the active one)."""
        source = norm_set or self.conv1.bn.active_set
        plain = SliceableMobileNetV2(init_cfg=None, **self._build_kwargs)
        state = {}
        own = self.state_dict()
        for key, target in plain.state_dict().items():
            src_key = key.replace('.norms.default.', f'.norms.{source}.')
            value = own[src_key]
            if value.dim() == 0:
                state[key] = value.clone()
            else:
                state[key] = value[tuple(slice(0, s)
                                         for s in target.shape)].clone()
        plain.load_state_dict(state, strict=True)
        return plain.train(self.training)

    def export_state_dict(self, norm_set: Optional[str] = None
                          ) -> Dict[str, torch.Tensor]:
        return self.export(norm_set).state_dict()
