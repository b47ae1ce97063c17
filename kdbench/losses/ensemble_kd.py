"""KD from the averaged soft targets of several teachers."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class EnsembleKDLoss(DistillLoss):
    r"""Hinton KD against an ensemble (Hinton et al. 2015, §2: the soft
    targets of an ensemble are the average of its members' softened
    distributions):

    .. math::
        L = w \cdot T^2 \cdot \mathrm{KL}\big(\textstyle\sum_i a_i\,
            p(z^{t_i}/T) \,\|\, p(z^s/T)\big),\quad \sum_i a_i = 1

    One student tap (the logits) against one tap per teacher
    (``teacher=['main.head.fc', 'r34.head.fc']`` in a
    ``kdbench.MultiTeacherDistiller``); ``weights`` (a_i, normalised to sum
    to 1) default to equal. KL summed over classes, averaged over the
    batch, as ``kdbench.KDLoss``.
    """

    compares_class_scores = True
    multi_teacher_taps = True

    def __init__(self, tau: float = 4.0, loss_weight: float = 1.0,
                 weights: Optional[Sequence[float]] = None):
        super().__init__(loss_weight)
        self.tau = float(tau)
        if weights is not None and (not weights or sum(weights) <= 0 or
                                    any(w < 0 for w in weights)):
            raise ValueError(f'EnsembleKDLoss: weights must be non-negative '
                             f'with a positive sum, got {weights!r}.')
        self.weights = None if weights is None else [float(w) for w in
                                                     weights]

    def shape_problem(self, student_shape, teacher_shapes):
        shapes = [tuple(s) for s in teacher_shapes]
        if self.weights is not None and len(self.weights) != len(shapes):
            return (f'EnsembleKDLoss has {len(self.weights)} weights for '
                    f'{len(shapes)} teachers')
        if any(s != tuple(student_shape) for s in shapes) or \
                len(student_shape) != 2:
            return (f'EnsembleKDLoss needs (N, C) logits of one shape, got '
                    f'student {tuple(student_shape)} and teachers {shapes}')
        return None

    def forward(self, student: torch.Tensor,
                teacher: Sequence[torch.Tensor]) -> torch.Tensor:
        weights = self.weights or [1.0] * len(teacher)
        total = sum(weights)
        target = 0.0
        for w, t in zip(weights, teacher):
            with full_precision(student, t) as (_, t32):
                target = target + (w / total) * F.softmax(t32 / self.tau,
                                                          dim=1)
        with full_precision(student, target) as (s, p):
            log_q = F.log_softmax(s / self.tau, dim=1)
            kl = F.kl_div(log_q, p, reduction='none').sum(dim=1)
            return self.loss_weight * self.tau ** 2 * kl.mean()

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, loss_weight={self.loss_weight}, '
                f'weights={self.weights}')


__all__ = ['EnsembleKDLoss']
