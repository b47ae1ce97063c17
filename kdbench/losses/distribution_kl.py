"""Per-row KL divergence between discrete distributions given as logits."""
from typing import Optional

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, check_rows, full_precision, weighted_mean


@MODELS.register_module()
class DistributionKLLoss(DistillLoss):
    r"""Localization Distillation (Zheng et al., CVPR 2022,
    arXiv:2102.12252, Eq. 5; METHODS §3.2): each row of ``student`` and
    ``teacher`` holds the logits of one discrete distribution (a box edge's
    ``reg_max + 1`` bins, or a location's class scores) and

    .. math::
        \ell_i = \tau^2 \cdot \tfrac1K \sum_k p^t_{ik}
                 (\log p^t_{ik} - \log p^s_{ik}),
        \quad p = \mathrm{softmax}(z / \tau)

    (the KL **averaged over the K bins**, as mmdet's
    ``KnowledgeDistillationKLDivLoss``; summing would be K× larger), then
    ``loss_weight · Σ_i w_i ℓ_i / avg_factor``. Without ``avg_factor`` the
    weighted rows are averaged (``Σ w ℓ / n_rows``). Which rows (main
    region, VLR) and which weights (student's max class score, IoU) are the
    task glue's choice. Teacher detached; computed in fp32.
    """

    requires_same_shape = True

    def __init__(self, tau: float = 10.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.tau = float(tau)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None) -> torch.Tensor:
        check_rows('DistributionKLLoss', 'bins', student, teacher)
        with full_precision(student, teacher) as (s, t):
            log_p_s = F.log_softmax(s / self.tau, dim=1)
            p_t = F.softmax(t / self.tau, dim=1)
            rows = F.kl_div(log_p_s, p_t, reduction='none').mean(1)
            rows = rows * self.tau ** 2
            return self.loss_weight * weighted_mean(rows, weight,
                                                    avg_factor)

    def extra_repr(self) -> str:
        return f'tau={self.tau}, loss_weight={self.loss_weight}'
