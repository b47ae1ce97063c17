"""Teacher-bounded regression loss."""
from typing import Optional

import torch

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision, weighted_mean


@MODELS.register_module()
class TeacherBoundedL2Loss(DistillLoss):
    r"""Chen et al., NeurIPS 2017, Eq. 4 (METHODS §3.1): the teacher as an
    upper bound for the student's regression,

    .. math::
        L_b = \begin{cases} \|R_s - y\|_2^2 &
              \text{if } \|R_s - y\|_2^2 + m > \|R_t - y\|_2^2 \\
              0 & \text{otherwise} \end{cases}

    per row (e.g. a positive RoI's 4 encoded deltas), so the term switches
    off once the student beats the teacher by the margin m. R_s, R_t and y
    must be encoded by the **same** box coder (means and stds). Rows are
    summed and divided by ``avg_factor`` (default: the number of rows), then
    times ``loss_weight`` (ν). Call as ``loss(student, teacher, target)``.
    """

    def __init__(self, margin: float = 0.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.margin = float(margin)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None) -> torch.Tensor:
        if not (student.shape == teacher.shape == target.shape) or \
                student.dim() != 2:
            raise ValueError(
                f'TeacherBoundedL2Loss needs (rows, dims) student, teacher '
                f'and target of equal shape, got {tuple(student.shape)}, '
                f'{tuple(teacher.shape)} and {tuple(target.shape)}.')
        with full_precision(student, teacher) as (s, t):
            y = target.detach().to(s.dtype)
            student_err = (s - y).pow(2).sum(1)
            teacher_err = (t - y).pow(2).sum(1)
            active = (student_err.detach() + self.margin > teacher_err)
            rows = student_err * active.to(s.dtype)
            return self.loss_weight * weighted_mean(rows, weight,
                                                    avg_factor)

    def extra_repr(self) -> str:
        return f'margin={self.margin}, loss_weight={self.loss_weight}'
