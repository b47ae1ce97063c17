"""Activation-based attention transfer."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, feature_map_problem, full_precision


@MODELS.register_module()
class ATLoss(DistillLoss):
    r"""Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR
    2017, arXiv:1612.03928, activation-based AT, Eq. (2) (METHODS §1.5).

    Attention map of an ``(N, C, H, W)`` feature F (any number of spatial
    dims), flattened per sample and L2-normalised:

    .. math::
        Q(F) = \mathrm{vec}\big(\tfrac1C \textstyle\sum_c |F_c|^p\big),\qquad
        \hat Q = Q / \max(\|Q\|_2, \varepsilon)

        L = w \cdot \operatorname{mean}_{n,\,x}\,(\hat Q_S - \hat Q_T)^2

    This is the **reference-code form** (``at_loss`` in
    szagoruyko/attention-transfer, mirrored by mmrazor ``ATLoss``): a squared
    difference averaged over all N·H·W elements, not the paper's
    (β/2)·Σ_j ‖·‖_p norm. The default ``loss_weight=500`` is β/2 with the
    reference β = 1e3 [METHODS: β=1e3 not re-verified against the paper];
    it is per tap (the reference sums over taps). Do not port β values of
    the sum/norm form to this mean-squared form. Mean vs sum over channels
    does not matter after normalisation. p=2 is the paper default.

    Channel counts may differ between student and teacher; N and the spatial
    size must match (use a resize connector otherwise). The gradient-based AT
    variant is not implemented. Computed in fp32; teacher detached.
    """

    requires_same_shape = False

    def __init__(self, p: float = 2, loss_weight: float = 500.0,
                 eps: float = 1e-12):
        super().__init__(loss_weight)
        self.p = p
        self.eps = float(eps)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        return feature_map_problem(type(self).__name__, student_shape,
                                   teacher_shape)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised attention map, shape (N, H·W)."""
        a = x.pow(2) if self.p == 2 else x.abs().pow(self.p)
        return F.normalize(a.mean(dim=1).flatten(1), p=2, dim=1,
                           eps=self.eps)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            q_s = self.attention(s)
            q_t = self.attention(t)
            return self.loss_weight * (q_s - q_t).pow(2).mean()

    def extra_repr(self) -> str:
        return f'p={self.p}, loss_weight={self.loss_weight}, eps={self.eps}'
