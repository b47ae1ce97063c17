"""CRD: contrastive representation distillation with a memory bank."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision

#: the official NCE loss's epsilon
EPS = 1e-7


def _world_size() -> int:
    from mmengine.dist import get_world_size
    return get_world_size()


def _gather(x: torch.Tensor) -> torch.Tensor:
    """``x`` of every rank, concatenated (``x`` itself on one process)."""
    if _world_size() == 1:
        return x
    from mmengine.dist import all_gather
    return torch.cat(all_gather(x.contiguous()), dim=0)


def _pooled(x: torch.Tensor) -> torch.Tensor:
    """(N, C) features: a (N, C, H, W) map is averaged over its
    locations (the penultimate pooled feature), other shapes flattened."""
    return x.mean(dim=(2, 3)) if x.dim() == 4 else x.flatten(1)


def nce_loss(scores: torch.Tensor, num_samples: int) -> torch.Tensor:
    """Noise-contrastive estimation of CRD (Eq. 18 of the paper, the
    official ``ContrastLoss``): column 0 of ``scores`` (N, K+1) is the
    positive pair, the others K negatives drawn uniformly from
    ``num_samples``; ``-(Σ log D(pos) + Σ log(1 - D(neg))) / N``."""
    k = scores.shape[1] - 1
    noise = k / num_samples
    pos = scores[:, 0]
    neg = scores[:, 1:]
    log_d1 = torch.log(pos / (pos + noise + EPS))
    log_d0 = torch.log(noise / (neg + noise + EPS))
    return -(log_d1.sum() + log_d0.sum()) / scores.shape[0]


@MODELS.register_module()
class CRDLoss(DistillLoss):
    r"""Tian, Krishnan & Isola, "Contrastive Representation Distillation",
    ICLR 2020, Eq. 18-19 (the official RepDistiller code):

    student and teacher features (the last stage's maps, averaged over the
    locations as the networks' global pooling does) are embedded
    by a linear layer each into ``feat_dim`` and L2-normalised; each is
    scored against ``num_negatives + 1`` rows of the *other* network's
    memory bank (row 0: the same sample, the positive pair; the rest drawn
    uniformly from the dataset), ``exp(v·m / τ) / Z`` with Z fixed from the
    first batch, and both NCE losses are summed. The banks hold one
    momentum-averaged embedding per training sample (``num_samples`` rows,
    updated after each step with momentum 0.5, re-normalised).

    The banks are buffers of this loss: in the distiller's checkpoint (a
    resume continues them) and outside the student's weights (the export).
    Under DDP every rank gathers the batch's indices and embeddings before
    the update, so all ranks hold the same banks, and Z is the mean over
    ranks. Negatives are drawn uniformly over the dataset (the official
    code's 'relax' sampling; its 'exact' mode, negatives of other classes
    only, needs the label of every row before training).

    Args:
        num_samples: rows of the banks: the training set's size (the
            dataset indices of the batch, ``sample_indices``, address them).
        student_channels / teacher_channels: feature widths (inferred from
            the taps by the distiller).
        feat_dim: embedding width (128).
        num_negatives: K (16384 in the paper).
        tau: temperature (0.07).
        momentum: bank update momentum (0.5).
        loss_weight: β (0.8 in the paper, beside the student's CE).
    """

    needs_tap_channels = True
    requires_same_shape = False

    def __init__(self, num_samples: int,
                 student_channels: Optional[int] = None,
                 teacher_channels: Optional[int] = None,
                 feat_dim: int = 128, num_negatives: int = 16384,
                 tau: float = 0.07, momentum: float = 0.5,
                 loss_weight: float = 0.8):
        super().__init__(loss_weight)
        if student_channels is None or teacher_channels is None:
            raise ValueError('CRDLoss needs student_channels and '
                             'teacher_channels (inferred by the distiller '
                             'from the taps).')
        if int(num_samples) != num_samples or num_samples < 2:
            raise ValueError(f'CRDLoss: num_samples must be the training '
                             f'set size (>= 2), got {num_samples!r}.')
        if int(num_negatives) != num_negatives or num_negatives < 1:
            raise ValueError(f'CRDLoss: num_negatives must be a positive '
                             f'integer, got {num_negatives!r}.')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'CRDLoss: momentum must be in [0, 1), got '
                             f'{momentum!r}.')
        self.num_samples = int(num_samples)
        self.num_negatives = int(num_negatives)
        self.tau = float(tau)
        self.momentum = float(momentum)
        self.embed_student = nn.Linear(student_channels, feat_dim)
        self.embed_teacher = nn.Linear(teacher_channels, feat_dim)
        stdv = 1.0 / math.sqrt(feat_dim / 3)
        for name in ('memory_student', 'memory_teacher'):
            bank = torch.rand(self.num_samples, feat_dim) * 2 * stdv - stdv
            self.register_buffer(name, bank)
        # the normalising constants, fixed from the first batch (< 0: unset)
        self.register_buffer('z_student', torch.tensor(-1.0))
        self.register_buffer('z_teacher', torch.tensor(-1.0))

    #: score the whole bank when it has at most this many times K+1 rows
    DENSE_SCORING_RATIO = 4

    def shape_problem(self, student_shape, teacher_shape):
        if student_shape[0] != teacher_shape[0]:
            return (f'CRDLoss needs the same batch on both sides, got '
                    f'student {tuple(student_shape)} and teacher '
                    f'{tuple(teacher_shape)}')
        return None

    def forward(self, student: torch.Tensor, teacher: torch.Tensor,
                sample_indices: Optional[torch.Tensor] = None
                ) -> torch.Tensor:
        if sample_indices is None:
            raise ValueError('CRDLoss needs the dataset indices of the '
                             'batch (sample_indices=), handed out by the '
                             'classification distiller from sample_idx.')
        idx = sample_indices.reshape(-1).long()
        if idx.numel() and (idx.min() < 0 or idx.max() >= self.num_samples):
            raise ValueError(f'CRDLoss: a sample index ({idx.max().item()}) '
                             f'is outside the bank of num_samples='
                             f'{self.num_samples} rows: set num_samples to '
                             f'the training set size.')
        with full_precision(_pooled(student), _pooled(teacher)) as (s, t):
            v_s = F.normalize(self.embed_student(s), dim=1)
            v_t = F.normalize(self.embed_teacher(t), dim=1)
            negatives = torch.randint(0, self.num_samples,
                                      (idx.numel(), self.num_negatives),
                                      device=idx.device)
            rows = torch.cat([idx[:, None], negatives], dim=1)
            # each side against the other side's bank (no gradient there)
            out_s = self._scores(self.memory_teacher, rows, v_s,
                                 self.z_student)
            out_t = self._scores(self.memory_student, rows, v_t,
                                 self.z_teacher)
            loss = nce_loss(out_s, self.num_samples) + \
                nce_loss(out_t, self.num_samples)
            self._update(idx, v_s.detach(), v_t.detach())
            return self.loss_weight * loss

    def _scores(self, bank: torch.Tensor, rows: torch.Tensor,
                v: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """exp(bank[rows] · v / τ) / Z, Z set on the first call.

        Two orders of the same products: gathering the (N, K+1, D) rows
        (the official code's, a copy of N(K+1)D values per step) or, when
        the bank has at most ``DENSE_SCORING_RATIO`` x (K+1) rows, scoring
        the whole bank in one matrix product and picking the (N, K+1)
        scores: more multiply-adds, a copy of only the bank, faster on a CPU
        (the mini and CIFAR geometries; ImageNet's bank gathers)."""
        if bank.shape[0] <= self.DENSE_SCORING_RATIO * rows.shape[1]:
            # a copy of the bank (N_bank x D, far smaller than the
            # gathered rows): the backward needs it after _update moved it
            logits = (v @ bank.to(v.dtype, copy=True).t()).gather(1, rows)
        else:
            weights = bank[rows].to(v.dtype)  # (N, K+1, D)
            logits = torch.bmm(weights, v[:, :, None]).squeeze(2)
        out = torch.exp(logits / self.tau)
        if z.item() < 0:
            with torch.no_grad():
                value = out.mean() * self.num_samples
                if _world_size() > 1:
                    from mmengine.dist import all_reduce
                    all_reduce(value, op='mean')
                z.fill_(value.item())
        return out / z

    @torch.no_grad()
    def _update(self, idx: torch.Tensor, v_s: torch.Tensor,
                v_t: torch.Tensor) -> None:
        """Momentum update of the banks' rows of this step's samples (of
        every rank)."""
        idx, v_s, v_t = _gather(idx), _gather(v_s), _gather(v_t)
        for bank, v in ((self.memory_student, v_s),
                        (self.memory_teacher, v_t)):
            mixed = bank[idx] * self.momentum + v.to(bank.dtype) * (
                1 - self.momentum)
            bank[idx] = F.normalize(mixed, dim=1)

    def extra_repr(self) -> str:
        return (f'num_samples={self.num_samples}, num_negatives='
                f'{self.num_negatives}, tau={self.tau}, momentum='
                f'{self.momentum}, loss_weight={self.loss_weight}')


__all__ = ['CRDLoss', 'nce_loss']
