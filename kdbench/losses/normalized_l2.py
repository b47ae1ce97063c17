"""Squared distance of per-sample L2-normalised tensors."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class NormalizedL2Loss(DistillLoss):
    r"""Distance between whole feature maps after per-sample L2
    normalisation, the feature term of FFSD's self-distillation module
    objective (Li et al., arXiv:2103.14473, Eq. (10), α-term; METHODS.md
    §2.6), in the official code's form (``attention_loss`` applied to raw
    features):

    .. math::
        L = w \cdot \mathrm{mean}_{n,j}\Big(\frac{s_n}{\|s_n\|_2}
            - \frac{t_n}{\|t_n\|_2}\Big)_j^2

    where s_n, t_n are sample n's flattened tensors (C·H·W values) and the
    mean runs over all N·C·H·W entries (the paper writes an L2 norm; the
    code, followed here, a mean of squares). Shapes must be equal. Computed
    in fp32; the teacher is detached.
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-12):
        super().__init__(loss_weight)
        self.eps = float(eps)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        if len(student_shape) < 2:
            return (f'{type(self).__name__} needs batched tensors (N, ...), '
                    f'got {tuple(student_shape)}')
        return super().shape_problem(student_shape, teacher_shape)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            s = F.normalize(s.flatten(1), dim=1, eps=self.eps)
            t = F.normalize(t.flatten(1), dim=1, eps=self.eps)
            return self.loss_weight * (s - t).pow(2).mean()
