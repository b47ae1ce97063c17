"""FitNets hint loss."""
from typing import Optional

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision, one_of


@MODELS.register_module()
class HintLoss(DistillLoss):
    r"""Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015,
    arXiv:1412.6550, Eq. (3) (METHODS §1.2):

    .. math::
        L_{HT} = \tfrac12 \, \| u_h - r(v_g) \|_2^2

    ``student`` is r(v_g), i.e. the guided-layer output **after** the
    regressor/connector (a 1×1 conv adapter applied by the distiller, not
    here); ``teacher`` is the hint u_h. Shapes must be identical. Unlike
    mmrazor's ``L2Loss`` there is no per-sample L2 normalisation of the
    features (the paper has none).

    **Reductions** (``reduction``):

    * ``'batchmean'`` (default, paper form per sample):
      ``½ · Σ (u − r(v))² / N``. Its scale grows with C·H·W, so the hint
      loss is orders of magnitude above the CE (pick ``loss_weight``
      accordingly; METHODS pitfall).
    * ``'mean'``: ``½ · mean over all elements of (u − r(v))²`` —
      scale-free, easier to weight; equals ``'batchmean'`` / (C·H·W).

    **Mask** (optional ``mask`` of shape (N, 1, H, W) or (N, H, W), 0/1 or
    soft weights): only masked locations count, as in detection feature
    imitation (METHODS §3.3). ``'mean'`` then averages over the masked
    elements (Σ m·(u − r(v))² / (C·Σ m)), ``'batchmean'`` still divides the
    masked sum by N. An empty mask gives 0 (with a gradient path).

    Computed in fp32 (low-precision inputs upcast, autocast disabled);
    the teacher is detached.
    """

    _REDUCTIONS = ('batchmean', 'mean')

    def __init__(self, loss_weight: float = 1.0,
                 reduction: str = 'batchmean'):
        super().__init__(loss_weight)
        self.reduction = one_of('reduction', reduction, self._REDUCTIONS)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if mask is not None:
            return self._masked(student, teacher, mask)
        with full_precision(student, teacher) as (s, t):
            if self.reduction == 'batchmean':
                loss = F.mse_loss(s, t, reduction='sum') / s.shape[0]
            else:
                loss = F.mse_loss(s, t, reduction='mean')
            return (0.5 * self.loss_weight) * loss

    def _masked(self, student, teacher, mask):
        given = tuple(mask.shape)
        if mask.dim() == student.dim() - 1:
            mask = mask.unsqueeze(1)
        if mask.shape[0] != student.shape[0] or \
                mask.shape[2:] != student.shape[2:] or mask.shape[1] != 1:
            raise ValueError(
                f'HintLoss: mask of shape {given} does not fit '
                f'features of shape {tuple(student.shape)}; expected '
                f'(N, 1, H, W) or (N, H, W) with N, H, W of the features.')
        with full_precision(student, teacher) as (s, t):
            m = mask.to(s.dtype)
            total = ((s - t.detach()).pow(2) * m).sum()
            if self.reduction == 'batchmean':
                loss = total / s.shape[0]
            else:
                loss = total / (m.sum() * s.shape[1]).clamp(min=1.0)
            return (0.5 * self.loss_weight) * loss

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}, reduction={self.reduction!r}'
