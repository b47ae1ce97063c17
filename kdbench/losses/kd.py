"""Hinton knowledge distillation (soft-target KL)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision, one_of
from .logit_standardization import standardize_logits


@MODELS.register_module()
class KDLoss(DistillLoss):
    r"""Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural
    Network", arXiv:1503.02531 (2015), soft-target term of §2 (METHODS §1.1):

    .. math::
        L = w \cdot T^2 \cdot \mathrm{KL}\big(p(z^t/T) \,\|\, p(z^s/T)\big),
        \quad \mathrm{KL}(P\|Q) = \sum_c P_c (\log P_c - \log Q_c)

    with ``w = loss_weight`` and ``T = tau``. The teacher is the target; the
    student side is a ``log_softmax`` (never ``log(softmax)``). Hinton writes
    the soft term as a cross-entropy against the soft targets, which differs
    from this KL only by the teacher entropy (constant for the student: same
    gradient, but the KL is 0 when the distributions match). The T² factor
    keeps the soft gradient's scale independent of T.

    **Hinton's α.** ``L = (1-α)·CE(y, p(z^s)) + α·T²·KL`` maps onto a task
    loss weight ``1-α`` on the student's own cross-entropy and
    ``loss_weight=α`` here (e.g. CIFAR convention T=4, α=0.9 →
    ``loss_weight=0.9``, task weight 0.1). "CE + λ·KD" papers (SSKD,
    mmrazor) use task weight 1 and ``loss_weight=λ``.

    **Numerics.** Computed in fp32 (half/bfloat16 inputs are upcast, float64
    is kept, autocast is disabled inside); the teacher is detached, so no
    gradient reaches it even if it requires grad.

    **Shapes.** ``(N, C)`` logits, or ``(N, C, *)`` with dim 1 as the class
    dim and every extra position (pixels, anchors, ...) an independent
    distribution — this is what per-pixel KD in segmentation reuses.
    Per-sample value: KL summed over classes, **averaged** over the extra
    positions (for ``(N, C)`` there is one position).

    **Logit standardisation** (``logit_standardization=True``, Sun et al.
    CVPR 2024): both sides' logits are z-scored over the classes before
    the temperature (``losses.logit_standardization``); method id
    ``kd_ls``.

    **Reductions** (``reduction``):

    * ``'batchmean'`` (default, the correct one): mean over samples of the
      per-sample value, i.e. sum over classes / (N · #positions).
      (``F.kl_div(reduction='mean')`` would divide by N·C instead — wrong.)
    * ``'sum'``: sum over samples of the per-sample value, so always exactly
      ``N × 'batchmean'``. For ``(N, C)`` input this is the plain total sum;
      for ``(N, C, *)`` extra positions are still averaged, not summed.
    * ``'none'``: the weighted per-sample vector of shape ``(N,)``.
    """

    compares_class_scores = True

    _REDUCTIONS = ('batchmean', 'sum', 'none')
    #: the target is a constant (online variants may let gradient through)
    detach_teacher = True

    def __init__(self, tau: float = 4.0, loss_weight: float = 1.0,
                 reduction: str = 'batchmean',
                 logit_standardization: bool = False):
        super().__init__(loss_weight)
        self.tau = float(tau)
        self.reduction = one_of('reduction', reduction, self._REDUCTIONS)
        self.logit_standardization = bool(logit_standardization)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        if len(student_shape) < 2 or len(teacher_shape) < 2:
            return (f'{type(self).__name__} needs logits of shape (N, C) or '
                    f'(N, C, *), got student {tuple(student_shape)} and '
                    f'teacher {tuple(teacher_shape)}')
        return super().shape_problem(student_shape, teacher_shape)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher,
                            self.detach_teacher) as (s, t):
            if self.logit_standardization:
                s, t = standardize_logits(s), standardize_logits(t)
            log_q = F.log_softmax(s / self.tau, dim=1)
            log_p = F.log_softmax(t / self.tau, dim=1)
            # exp(log_p) * (log_p - log_q), elementwise: exactly 0 when equal
            kl = F.kl_div(log_q, log_p, reduction='none', log_target=True)
            per_sample = kl.sum(dim=1)
            if per_sample.dim() > 1:
                per_sample = per_sample.flatten(1).mean(dim=1)
            per_sample = per_sample * (self.loss_weight * self.tau ** 2)
            if self.reduction == 'batchmean':
                return per_sample.mean()
            if self.reduction == 'sum':
                return per_sample.sum()
            return per_sample

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, loss_weight={self.loss_weight}, '
                f'reduction={self.reduction!r}' +
                (', logit_standardization=True'
                 if self.logit_standardization else ''))
