"""Channel-wise distillation (CWD) for dense prediction."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class CWDLoss(DistillLoss):
    r"""Shu et al., "Channel-wise Knowledge Distillation for Dense
    Prediction", ICCV 2021, Eq. 2-4:

    .. math::
        L = w \cdot \frac{T^2}{N C} \sum_{n,c} \mathrm{KL}\big(
            \phi(y^t_{n,c} / T) \,\|\, \phi(y^s_{n,c} / T)\big)

    where φ is the softmax over the H·W locations of one channel of one
    image: each channel becomes a spatial distribution, and the student
    matches the teacher's per-channel distribution (the most activated
    regions). On a segmentor's logits (``decode_head.conv_seg``) or a
    detector's FPN maps; student and teacher maps of equal shape (a
    ``kdbench.ConvAdapter`` maps the student's channels first when they
    differ).
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.tau = float(tau)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        if len(student_shape) != 4 or \
                tuple(student_shape) != tuple(teacher_shape):
            return (f'CWDLoss needs (N, C, H, W) maps of equal shape, got '
                    f'student {tuple(student_shape)} and teacher '
                    f'{tuple(teacher_shape)}')
        return None

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        problem = self.shape_problem(student.shape, teacher.shape)
        if problem:
            raise ValueError(problem)
        n, c = student.shape[:2]
        with full_precision(student, teacher) as (s, t):
            log_q = F.log_softmax(s.flatten(2) / self.tau, dim=2)
            log_p = F.log_softmax(t.flatten(2) / self.tau, dim=2)
            kl = F.kl_div(log_q, log_p, reduction='sum', log_target=True)
            return self.loss_weight * self.tau ** 2 * kl / (n * c)

    def extra_repr(self) -> str:
        return f'tau={self.tau}, loss_weight={self.loss_weight}'


__all__ = ['CWDLoss']
