"""PKD: feature imitation with the Pearson correlation coefficient."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision

#: the official code's epsilon added to the standard deviation
EPS = 1e-6


def channel_standardize(feat: torch.Tensor) -> torch.Tensor:
    """Each channel of an (N, C, H, W) map z-scored over the batch and the
    locations (N·H·W values; unbiased standard deviation, + 1e-6)."""
    n, c, h, w = feat.shape
    flat = feat.transpose(0, 1).reshape(c, -1)
    mean = flat.mean(dim=1, keepdim=True)
    std = flat.std(dim=1, keepdim=True)
    flat = (flat - mean) / (std + EPS)
    return flat.reshape(c, n, h, w).transpose(0, 1)


@MODELS.register_module()
class PKDLoss(DistillLoss):
    r"""Cao et al., "PKD: General Distillation Framework for Object
    Detectors via Pearson Correlation Coefficient", NeurIPS 2022, Eq. 4:

    .. math::
        L = w \cdot \tfrac12 \cdot \mathrm{mean}\big(
            (\hat F^s - \hat F^t)^2\big)

    with each channel of the student and teacher FPN maps standardised to
    zero mean and unit variance over the batch and the locations: the mean
    squared difference of standardised maps is ``1 - ρ`` (ρ the Pearson
    correlation per channel) up to the constant, so the student imitates
    the teacher's relations, not its magnitudes (heterogeneous detectors
    included). A student map of another spatial size is resized to the
    teacher's (bilinear) first, as the official ``resize_stu=True``.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__(loss_weight)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        s, t = tuple(student_shape), tuple(teacher_shape)
        if len(s) != 4 or len(t) != 4 or s[:2] != t[:2]:
            return (f'PKDLoss needs (N, C, H, W) maps with equal batch and '
                    f'channels (a ConvAdapter maps the student channels), '
                    f'got student {s} and teacher {t}')
        return None

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        problem = self.shape_problem(student.shape, teacher.shape)
        if problem:
            raise ValueError(problem)
        with full_precision(student, teacher) as (s, t):
            if s.shape[2:] != t.shape[2:]:
                s = F.interpolate(s, size=t.shape[2:], mode='bilinear',
                                  align_corners=False)
            diff = channel_standardize(s) - channel_standardize(t)
            return self.loss_weight * 0.5 * diff.pow(2).mean()


__all__ = ['PKDLoss', 'channel_standardize']
