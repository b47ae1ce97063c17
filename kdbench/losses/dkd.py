"""Decoupled knowledge distillation (DKD)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, check_rows, full_precision
from .logit_standardization import standardize_logits

#: offset that removes the target class from the non-target softmax (the
#: official code's ``- 1000 * gt_mask`` after dividing by T)
_MASK_OFFSET = 1000.0


@MODELS.register_module()
class DKDLoss(DistillLoss):
    r"""Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022, Eq. 7:

    .. math::
        L = w \cdot T^2 \big(\alpha \cdot \mathrm{KL}(b^t \| b^s)
            + \beta \cdot \mathrm{KL}(\hat p^t \| \hat p^s)\big)

    TCKD: ``b = [p_gt, 1 - p_gt]``, the binary target / non-target split of
    the temperature softmax; NCKD: ``p̂``, the softmax over the non-target
    classes only. Each KL is summed over its classes and averaged over the
    batch (the official ``size_average=False`` sum divided by N).

    The target class comes from the batch's labels (``labels``, handed out
    by the distiller). DKD's linear warm-up (20 of 240 CIFAR epochs, 1 of
    100 ImageNet epochs) is the config's ``weight_schedule``, not code
    here. ``log(1 - p_gt)`` is computed as a log-sum-exp over the other
    classes (the official ``log`` of a summed softmax can give -inf when
    ``p_gt`` rounds to 1). ``logit_standardization=True``: both sides'
    logits are z-scored first (Sun et al. 2024; method id ``dkd_ls``).
    """

    compares_class_scores = True

    def __init__(self, alpha: float = 1.0, beta: float = 8.0,
                 tau: float = 4.0, loss_weight: float = 1.0,
                 logit_standardization: bool = False):
        super().__init__(loss_weight)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.tau = float(tau)
        self.logit_standardization = bool(logit_standardization)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        if len(student_shape) != 2 or \
                tuple(student_shape) != tuple(teacher_shape):
            return (f'DKDLoss needs (N, C) logits of equal shape, got '
                    f'student {tuple(student_shape)} and teacher '
                    f'{tuple(teacher_shape)}')
        return None

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                labels: Optional[torch.Tensor] = None) -> torch.Tensor:
        if labels is None:
            raise ValueError('DKDLoss needs the target classes (labels=): '
                             'use it in a classification distiller, which '
                             'hands out the batch labels.')
        check_rows('DKDLoss', 'classes', student, teacher)
        with full_precision(student, teacher) as (s, t):
            if self.logit_standardization:
                s, t = standardize_logits(s), standardize_logits(t)
            s, t = s / self.tau, t / self.tau
            gt = F.one_hot(labels.reshape(-1).long(),
                           s.shape[1]).to(torch.bool)
            tckd = _binary_kl(s, t, gt)
            offset = gt.to(s.dtype) * _MASK_OFFSET
            log_q = F.log_softmax(s - offset, dim=1)
            log_p = F.log_softmax(t - offset, dim=1)
            nckd = F.kl_div(log_q, log_p, reduction='none',
                            log_target=True).sum(dim=1)
            per_sample = self.alpha * tckd + self.beta * nckd
            return self.loss_weight * self.tau ** 2 * per_sample.mean()

    def extra_repr(self) -> str:
        return (f'alpha={self.alpha}, beta={self.beta}, tau={self.tau}, '
                f'loss_weight={self.loss_weight}' +
                (', logit_standardization=True'
                 if self.logit_standardization else ''))


def _binary_log_probs(z: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """(N, 2) log [p_gt, 1 - p_gt] of softmax(z), both as log-sum-exps."""
    log_all = torch.logsumexp(z, dim=1)
    log_gt = z[gt] - log_all
    log_other = torch.logsumexp(z.masked_fill(gt, float('-inf')),
                                dim=1) - log_all
    return torch.stack([log_gt, log_other], dim=1)


def _binary_kl(s: torch.Tensor, t: torch.Tensor,
               gt: torch.Tensor) -> torch.Tensor:
    """Per-sample KL(b^t ‖ b^s) of the target / non-target split."""
    log_bs = _binary_log_probs(s, gt)
    log_bt = _binary_log_probs(t, gt)
    return F.kl_div(log_bs, log_bt, reduction='none',
                    log_target=True).sum(dim=1)


__all__ = ['DKDLoss']
