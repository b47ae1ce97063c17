"""Pixel-wise distillation of dense class scores."""
from typing import Optional

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class PixelwiseKDLoss(DistillLoss):
    r"""Structured KD, pixel-wise term (Liu et al., CVPR 2019, Eq. 1;
    METHODS §4): teacher-as-target KL between the class distributions of
    every pixel of the logit maps,

    .. math::
        \ell_{pi} = \frac{1}{|P|} \sum_{i \in P}
                    \mathrm{KL}(q^t_i \,\|\, q^s_i),
        \quad q = \mathrm{softmax}(z / T),

    times T² (1 at the default T = 1). The official code uses the
    cross-entropy −Σ q^t log q^s instead; it differs from the KL by the
    teacher's entropy, a constant for the student, so the gradients are the
    same while the KL is 0 when the maps agree.

    **Ignored pixels** (``ignore_index``, 255 in mmseg): pixels whose label
    (``gt``, resized to the logit map by nearest neighbour) is ignored are
    left out of P (the official code keeps them: ``ignore_index=None``).

    **Reduction**: ``'mean'`` (default) averages over the kept pixels of the
    whole batch; ``'official'`` sums over the batch and divides by H·W only
    (the official code, so its scale grows with the batch size).
    """

    _REDUCTIONS = ('mean', 'official')

    def __init__(self, tau: float = 1.0, loss_weight: float = 10.0,
                 ignore_index: Optional[int] = 255,
                 reduction: str = 'mean'):
        super().__init__(loss_weight)
        if reduction not in self._REDUCTIONS:
            raise ValueError(f'reduction must be one of {self._REDUCTIONS}, '
                             f'got {reduction!r}')
        self.tau = float(tau)
        self.ignore_index = ignore_index
        self.reduction = reduction

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                gt: Optional[torch.Tensor] = None) -> torch.Tensor:
        if student.shape != teacher.shape or student.dim() != 4:
            raise ValueError(
                f'PixelwiseKDLoss needs (N, C, H, W) logits of equal shape, '
                f'got student {tuple(student.shape)} and teacher '
                f'{tuple(teacher.shape)}; resize the student logits to the '
                f"teacher's (kdbench.Resize).")
        with full_precision(student, teacher) as (s, t):
            log_q_s = F.log_softmax(s / self.tau, dim=1)
            log_q_t = F.log_softmax(t / self.tau, dim=1)
            per_pixel = (log_q_t.exp() * (log_q_t - log_q_s)).sum(1)
            per_pixel = per_pixel * self.tau ** 2  # (N, H, W)
            keep = None
            if gt is not None and self.ignore_index is not None:
                labels = gt.reshape(gt.shape[0], 1, *gt.shape[-2:]).float()
                if labels.shape[-2:] != per_pixel.shape[-2:]:
                    labels = F.interpolate(labels, per_pixel.shape[-2:],
                                           mode='nearest')
                keep = labels[:, 0] != self.ignore_index
            if self.reduction == 'official':
                if keep is not None:
                    per_pixel = per_pixel * keep
                loss = per_pixel.sum() / (per_pixel.shape[1] *
                                          per_pixel.shape[2])
            elif keep is not None:
                loss = (per_pixel * keep).sum() / keep.sum().clamp(min=1)
            else:
                loss = per_pixel.mean()
            return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, loss_weight={self.loss_weight}, '
                f'ignore_index={self.ignore_index}, '
                f'reduction={self.reduction!r}')
