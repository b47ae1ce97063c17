"""Stochastic depth on the residual blocks of an mmpretrain ResNet.

Huang et al., "Deep Networks with Stochastic Depth", ECCV 2016: block l's
residual branch f_l is kept with probability p_l during training,

    H_l = ReLU(b_l · f_l(H_{l-1}) + id(H_{l-1})),   b_l ~ Bernoulli(p_l),

(one draw per mini-batch and block) and scaled by p_l at test time,
H_l = ReLU(p_l · f_l(H_{l-1}) + id(H_{l-1})). Survival decays linearly,
p_l = 1 − (l/L)(1 − p_L), l = 1..L over the network's L residual blocks.

Implementation: a forward hook on each block's ``drop_path`` module (an
``nn.Identity`` in mmpretrain's BasicBlock / Bottleneck when
``drop_path_rate=0``; it receives exactly the residual branch, after its
last BN, before the shortcut is added) multiplies the branch by the
block's factor while a :meth:`StochasticDepth.scaled` context is active,
and does nothing otherwise. A dropped branch is still computed (times 0):
every parameter takes part in every step (DDP needs no
``find_unused_parameters``) and its BN still sees the batch; the output
is the same as skipping it. mmpretrain's own per-sample DropPath
(``drop_path_rate > 0``) is refused so depth is never dropped twice.
"""
from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence

import torch
from torch import nn


class StochasticDepthError(ValueError):
    """The network cannot take stochastic depth as configured."""


def residual_blocks(backbone: nn.Module) -> List[nn.Module]:
    """mmpretrain residual blocks (modules with ``drop_path`` and
    ``downsample``) in forward order."""
    return [m for m in backbone.modules()
            if hasattr(m, 'drop_path') and hasattr(m, 'downsample')]


def linear_decay(num_blocks: int, survival_last: float) -> List[float]:
    """p_l = 1 − (l/L)(1 − p_L) for l = 1..L (Huang et al., Eq. 4)."""
    return [1.0 - (l / num_blocks) * (1.0 - survival_last)
            for l in range(1, num_blocks + 1)]


def _last_norm(block: nn.Module) -> nn.Module:
    """The BN closing the residual branch (norm3 of a Bottleneck, norm2 of
    a BasicBlock), whose affine output the branch scale multiplies."""
    for name in ('norm3', 'norm2'):
        norm = getattr(block, name, None)
        if norm is not None:
            return norm
    raise StochasticDepthError(
        f'{type(block).__name__} has no norm2/norm3: cannot fold the '
        f'stochastic-depth test rule into its weights.')


class StochasticDepth:
    """Per-block branch scales for the residual blocks of ``backbone``.

    Args:
        backbone: an mmpretrain ResNet / ResNet_CIFAR (or any module whose
            residual blocks have ``drop_path`` and ``downsample``).
        survival_last: p_L, survival probability of the last block.
        survival: explicit p_l per block (overrides the linear decay).
    """

    def __init__(self, backbone: nn.Module, survival_last: float = 0.5,
                 survival: Optional[Sequence[float]] = None):
        self.blocks = residual_blocks(backbone)
        if not self.blocks:
            raise StochasticDepthError(
                f'{type(backbone).__name__} has no residual blocks with a '
                f'drop_path (mmpretrain BasicBlock / Bottleneck); stochastic '
                f'depth needs a ResNet backbone.')
        for i, block in enumerate(self.blocks):
            if not isinstance(block.drop_path, nn.Identity):
                raise StochasticDepthError(
                    f'Residual block {i} already drops its branch '
                    f'(mmpretrain DropPath, drop_path_rate > 0); stochastic '
                    f'depth would be applied twice. Set the backbone\'s '
                    f'drop_path_rate=0.')
            if getattr(block, 'with_cp', False):
                raise StochasticDepthError(
                    'Stochastic depth scales branches with forward hooks, '
                    'which gradient checkpointing (with_cp=True) would '
                    're-run outside the sampled scales; set with_cp=False.')
        if survival is None:
            if not 0.0 < survival_last <= 1.0:
                raise StochasticDepthError(
                    f'survival_last must be in (0, 1], got {survival_last}.')
            survival = linear_decay(len(self.blocks), survival_last)
        survival = [float(p) for p in survival]
        if len(survival) != len(self.blocks) or \
                not all(0.0 < p <= 1.0 for p in survival):
            raise StochasticDepthError(
                f'survival must give one probability in (0, 1] per residual '
                f'block ({len(self.blocks)}), got {survival}.')
        self.survival = survival
        self._scales: Optional[List[float]] = None
        self._handles = [block.drop_path.register_forward_hook(
            _BranchScale(self, i)) for i, block in enumerate(self.blocks)]

    @contextmanager
    def scaled(self, scales: Sequence[float]):
        """Multiply block l's branch by ``scales[l]`` inside the block."""
        scales = [float(s) for s in scales]
        if len(scales) != len(self.blocks):
            raise StochasticDepthError(
                f'{len(scales)} scales for {len(self.blocks)} blocks.')
        previous, self._scales = self._scales, scales
        try:
            yield
        finally:
            self._scales = previous

    def test_rule(self):
        """The expectation network: branch l scaled by p_l."""
        return self.scaled(self.survival)

    def sample(self, generator: Optional[torch.Generator] = None
               ) -> torch.Tensor:
        """One draw b_l ~ Bernoulli(p_l) per block (float 0/1 vector)."""
        return torch.bernoulli(torch.tensor(self.survival),
                               generator=generator)

    def fold(self, state: Dict[str, torch.Tensor],
             block_names: Sequence[str]) -> Dict[str, torch.Tensor]:
        """``state`` with the test rule folded into each branch's last BN
        (γ, β ← p_l·γ, p_l·β): the plain network then computes the test
        rule exactly. ``block_names[l]`` is block l's key prefix."""
        state = dict(state)
        for block, prefix, p in zip(self.blocks, block_names, self.survival):
            if p == 1.0:
                continue
            norm = _last_norm(block)
            if not getattr(norm, 'affine', False):
                raise StochasticDepthError(
                    'Folding the test rule needs affine BN layers.')
            norm_name = next(n for n, m in block.named_children()
                             if m is norm)
            for param in ('weight', 'bias'):
                key = f'{prefix}.{norm_name}.{param}'
                state[key] = state[key] * p
        return state

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


class _BranchScale:
    """Forward hook of block ``index``'s ``drop_path``: the branch times the
    active scale. An object, not a closure, so a deep copy of the network
    (e.g. an EMA model) gets hooks bound to the copied StochasticDepth."""

    def __init__(self, owner: StochasticDepth, index: int):
        self.owner = owner
        self.index = index

    def __call__(self, module, inputs, output):
        scales = self.owner._scales
        if scales is None or scales[self.index] == 1.0:
            return None
        return output * scales[self.index]
