"""Flow of Solution Procedure (FSP) matrices."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision, one_of


def fsp_matrix(first: torch.Tensor, last: torch.Tensor) -> torch.Tensor:
    r"""G_ij = (1/(h·w)) Σ_{s,t} F¹_{s,t,i}·F²_{s,t,j}, shape (N, c1, c2).

    When the two maps differ in spatial size the larger one is max-pooled
    to the smaller (Yim et al. 2017, §3.2)."""
    if first.shape[2:] != last.shape[2:]:
        if first.shape[-1] > last.shape[-1]:
            first = F.adaptive_max_pool2d(first, last.shape[2:])
        else:
            last = F.adaptive_max_pool2d(last, first.shape[2:])
    hw = first.shape[2] * first.shape[3]
    return torch.bmm(first.flatten(2), last.flatten(2).transpose(1, 2)) / hw


@MODELS.register_module()
class FSPLoss(DistillLoss):
    r"""Yim, Joo, Bae & Kim, "A Gift from Knowledge Distillation: Fast
    Optimization, Network Minimization and Transfer Learning", CVPR 2017,
    Eq. (1)-(2) (METHODS §1.7). For one section with first / last feature
    maps (F¹, F²) on each side:

    .. math::
        L = w \cdot \tfrac1N \sum_n \| G^T(x_n) - G^S(x_n) \|_2^2

    with :func:`fsp_matrix` G (c1 × c2, divided by h·w; the larger map is
    max-pooled to the smaller). One loss entry is one section, so the
    paper's equal λ_k over sections are equal ``loss_weight`` over entries.

    **Reductions** (``reduction``): ``'batchmean'`` (default, the paper's
    squared norm summed over the c1·c2 entries, mean over the batch) or
    ``'mean'`` (mean over entries too, i.e. ``'batchmean'`` / (c1·c2)):
    the summed form reaches 10³-10⁴ on wide sections and diverges at usual
    learning rates unless ``loss_weight`` is scaled down accordingly.

    Takes **two taps per side**: ``student=[first, last]`` and
    ``teacher=[first, last]``. The paper needs equal channel widths at both
    endpoints; for a thinner student give each student tap a connector
    (``connector=[dict(type='kdbench.ConvAdapter'), ...]``, one per tap),
    a deviation from the paper stated in the configs that use it.
    Computed in fp32; teacher detached.
    """

    requires_same_shape = False
    num_taps = 2
    _REDUCTIONS = ('batchmean', 'mean')

    def __init__(self, loss_weight: float = 1.0,
                 reduction: str = 'batchmean'):
        super().__init__(loss_weight)
        self.reduction = one_of('reduction', reduction, self._REDUCTIONS)

    def shape_problem(self, student_shape, teacher_shape) -> Optional[str]:
        s = [tuple(x) for x in student_shape]
        t = [tuple(x) for x in teacher_shape]
        if any(len(x) != 4 for x in s + t):
            return (f'FSPLoss needs (N, C, H, W) feature maps, got student '
                    f'{s} and teacher {t}')
        if (s[0][1], s[1][1]) != (t[0][1], t[1][1]):
            return (f'FSPLoss needs equal channels at both endpoints (the '
                    f'FSP matrices are c1 x c2), got student channels '
                    f'{s[0][1]}, {s[1][1]} and teacher channels {t[0][1]}, '
                    f'{t[1][1]}; add one kdbench.ConvAdapter connector per '
                    f'student tap')
        return None

    def forward(self, student: Sequence[torch.Tensor],
                teacher: Sequence[torch.Tensor]) -> torch.Tensor:
        (s1, t1), (s2, t2) = zip(student, teacher)
        with full_precision(s1, t1) as (s1, t1), \
                full_precision(s2, t2) as (s2, t2):
            g_s, g_t = fsp_matrix(s1, s2), fsp_matrix(t1, t2)
            squared = (g_t - g_s).pow(2)
            value = squared.mean() if self.reduction == 'mean' else \
                squared.sum() / g_s.shape[0]
            return self.loss_weight * value

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}, reduction={self.reduction!r}'
