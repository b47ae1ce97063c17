"""Class-weighted soft cross-entropy against teacher probabilities."""
from typing import Optional

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, check_rows, full_precision, weighted_mean


@MODELS.register_module()
class WeightedSoftCELoss(DistillLoss):
    r"""Chen et al., "Learning Efficient Object Detection Models with
    Knowledge Distillation", NeurIPS 2017, Eq. 2 (METHODS §3.1): the soft
    term of the classification loss,

    .. math::
        L_{soft} = -\sum_c w_c \, P^t_c \log P^s_c,\quad
        P = \mathrm{softmax}(z / T),

    with w = ``background_weight`` (w₀ = 1.5) for the background class and 1
    for the others. ``background_index`` is -1 for mmdet's RoI heads, which
    put background at the **last** index (index 0 in the paper). T = 1 by
    default (the authors found no temperature best for detection). Rows are
    averaged (optionally weighted, or divided by ``avg_factor``).
    """

    compares_class_scores = True

    def __init__(self, background_weight: float = 1.5,
                 background_index: int = -1, tau: float = 1.0,
                 loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.background_weight = float(background_weight)
        self.background_index = int(background_index)
        self.tau = float(tau)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None) -> torch.Tensor:
        check_rows('WeightedSoftCELoss', 'classes', student, teacher)
        with full_precision(student, teacher) as (s, t):
            class_weight = s.new_ones(s.shape[1])
            class_weight[self.background_index] = self.background_weight
            p_t = F.softmax(t / self.tau, dim=1)
            log_p_s = F.log_softmax(s / self.tau, dim=1)
            rows = -(class_weight * p_t * log_p_s).sum(1)
            return self.loss_weight * weighted_mean(rows, weight, avg_factor)

    def extra_repr(self) -> str:
        return (f'background_weight={self.background_weight}, '
                f'background_index={self.background_index}, tau={self.tau}, '
                f'loss_weight={self.loss_weight}')


@MODELS.register_module()
class WeightedSoftBCELoss(DistillLoss):
    r"""Chen et al. 2017's weighted soft classification loss for a
    **sigmoid** objectness score (mmdet's RPN; METHODS §3.1, a judgement
    call the paper leaves open): with p_t = σ(z_t / T), p_s = σ(z_s / T)
    the probability of *object*,

    .. math::
        L = -\big[p_t \log p_s + w_0 (1 - p_t) \log(1 - p_s)\big],

    i.e. the background weight w₀ = ``background_weight`` multiplies the
    negative (background) term, as it multiplies the background class of
    the softmax form. Elementwise over the inputs, then averaged (or
    weighted / divided by ``avg_factor``).
    """

    compares_class_scores = True

    def __init__(self, background_weight: float = 1.5, tau: float = 1.0,
                 loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.background_weight = float(background_weight)
        self.tau = float(tau)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None) -> torch.Tensor:
        if student.shape != teacher.shape:
            raise ValueError(
                f'WeightedSoftBCELoss needs logits of equal shape, got '
                f'student {tuple(student.shape)} and teacher '
                f'{tuple(teacher.shape)}.')
        with full_precision(student, teacher) as (s, t):
            p_t = torch.sigmoid(t / self.tau)
            # log σ(x) and log(1 − σ(x)) = log σ(−x), stable for any x
            rows = -(p_t * F.logsigmoid(s / self.tau) +
                     self.background_weight * (1 - p_t) *
                     F.logsigmoid(-s / self.tau))
            return self.loss_weight * weighted_mean(rows, weight, avg_factor)

    def extra_repr(self) -> str:
        return (f'background_weight={self.background_weight}, '
                f'tau={self.tau}, loss_weight={self.loss_weight}')
