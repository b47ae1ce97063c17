"""Pixel-wise distillation of dense class scores."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision, one_of


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

    **Class weights** (``class_weight``, one per class; default None, the
    paper): each pixel's KL is weighted by the weight of its ground-truth
    class and the mean becomes the weighted mean Σ w·KL / Σ w, as mmseg's
    weighted cross-entropy with ``avg_non_ignore``. A deviation for data
    with a dominant class: unweighted, the KL of the background pixels
    outweighs the class-weighted task loss and pulls the student back to the
    background prior the weights were chosen to overcome (kdbench's mini
    Cityscapes scenes are ~94 % background; docs/segmentation.md).

    **Reduction**: ``'mean'`` (default) averages over the kept pixels of the
    whole batch; ``'official'`` sums over the batch and divides by H·W only
    (the official code, so its scale grows with the batch size).
    """

    compares_class_scores = True

    _REDUCTIONS = ('mean', 'official')

    def __init__(self, tau: float = 1.0, loss_weight: float = 10.0,
                 ignore_index: Optional[int] = 255,
                 reduction: str = 'mean',
                 class_weight: Optional[Sequence[float]] = None):
        super().__init__(loss_weight)
        self.tau = float(tau)
        self.ignore_index = ignore_index
        self.reduction = one_of('reduction', reduction, self._REDUCTIONS)
        if class_weight is not None:
            class_weight = torch.as_tensor(class_weight, dtype=torch.float32)
            if class_weight.dim() != 1 or (class_weight < 0).any():
                raise ValueError('class_weight must be a list of one '
                                 'non-negative weight per class, got '
                                 f'{class_weight.tolist()}')
        self.register_buffer('class_weight', class_weight, persistent=False)

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
            weight = self._pixel_weights(gt, per_pixel, s.shape[1])
            if self.reduction == 'official':
                if weight is not None:
                    per_pixel = per_pixel * weight
                loss = per_pixel.sum() / (per_pixel.shape[1] *
                                          per_pixel.shape[2])
            elif weight is not None:
                loss = (per_pixel * weight).sum() / weight.sum().clamp(
                    min=torch.finfo(weight.dtype).tiny)
            else:
                loss = per_pixel.mean()
            return self.loss_weight * loss

    def _pixel_weights(self, gt: Optional[torch.Tensor],
                       per_pixel: torch.Tensor,
                       num_classes: int) -> Optional[torch.Tensor]:
        """(N, H, W) weights of the logit pixels from the label maps: 0 for
        ignored pixels, the class weight (or 1) for the others; None when
        every pixel counts equally."""
        use_ignore = self.ignore_index is not None
        if gt is None:
            if self.class_weight is not None:
                raise ValueError('PixelwiseKDLoss with class_weight needs '
                                 'the label maps (gt); the segmentation '
                                 'distiller passes them')
            return None
        if not use_ignore and self.class_weight is None:
            return None
        if (self.class_weight is not None
                and self.class_weight.numel() != num_classes):
            raise ValueError(
                f'PixelwiseKDLoss: class_weight has '
                f'{self.class_weight.numel()} entries but the logits have '
                f'{num_classes} classes; give one weight per class.')
        labels = gt.reshape(gt.shape[0], 1, *gt.shape[-2:]).float()
        if labels.shape[-2:] != per_pixel.shape[-2:]:
            labels = F.interpolate(labels, per_pixel.shape[-2:],
                                   mode='nearest')
        labels = labels[:, 0].long()
        keep = (labels != self.ignore_index) if use_ignore else \
            torch.ones_like(labels, dtype=torch.bool)
        if self.class_weight is None:
            return keep.to(per_pixel.dtype)
        safe = torch.where(keep, labels, torch.zeros_like(labels))
        return self.class_weight.to(per_pixel)[safe] * keep

    def extra_repr(self) -> str:
        weights = None if self.class_weight is None else \
            self.class_weight.tolist()
        return (f'tau={self.tau}, loss_weight={self.loss_weight}, '
                f'ignore_index={self.ignore_index}, '
                f'reduction={self.reduction!r}, class_weight={weights}')
