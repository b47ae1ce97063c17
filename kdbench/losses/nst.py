"""Neuron Selectivity Transfer (MMD between channel-map distributions)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import (DistillLoss, feature_map_problem, full_precision,
                   one_of)


def _gram(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, Ca, D) x (N, Cb, D) -> (N, Ca, Cb) inner products."""
    return torch.bmm(a, b.transpose(1, 2))


def _sq_dist(gram: torch.Tensor, sq_a: torch.Tensor,
             sq_b: torch.Tensor) -> torch.Tensor:
    """Squared distances ‖a_i − b_j‖² from the Gram and the squared norms."""
    return (sq_a[:, :, None] + sq_b[:, None, :] - 2 * gram).clamp_min(0)


@MODELS.register_module()
class NSTLoss(DistillLoss):
    r"""Huang & Wang, "Like What You Like: Knowledge Distill via Neuron
    Selectivity Transfer", arXiv:1707.01219, Eq. (5)–(7) (METHODS §1.3).

    For a feature (N, C, H, W) (any number of spatial dims), each channel's
    spatial map f^k ∈ R^{HW} is one sample, L2-normalised:
    f̂ = f / max(‖f‖₂, eps). Per image, the biased (V-statistic) MMD²

    .. math::
        \mathrm{MMD}^2 = \frac{1}{C_T^2}\sum_{i,i'} k(\hat f_T^i,\hat f_T^{i'})
        + \frac{1}{C_S^2}\sum_{j,j'} k(\hat f_S^j,\hat f_S^{j'})
        - \frac{2}{C_T C_S}\sum_{i,j} k(\hat f_T^i,\hat f_S^j)

    (diagonal terms included), averaged over the batch and multiplied by
    ``loss_weight``; the paper's total is CE + (λ/2)·MMD², so
    ``loss_weight = λ/2`` (λ per kernel not verified, METHODS §1.3).

    Kernels (``kernel``):

    * ``'poly'`` (default): k(x, y) = (x·y + coef)^degree, paper default
      degree=2, coef=0. For degree 2 this is evaluated exactly through the
      identity MMD² = ‖P_T/C_T − P_S/C_S‖²_F + 2·coef·‖f̄_T − f̄_S‖² with
      P = F̂ᵀF̂ (HW×HW), when HW² < C_T·C_S (cheaper than the C×C Grams,
      e.g. ResNet layer4); otherwise, and for other degrees, via the C×C
      Gram matrices.
    * ``'linear'``: k(x, y) = x·y, evaluated exactly as ‖f̄_T − f̄_S‖² with
      f̄ the channel mean of the normalised maps.
    * ``'gaussian'``: k(x, y) = exp(−‖x − y‖² / (2σ²)). σ² is a choice the
      paper leaves open: here it is recomputed every batch as the mean
      squared distance over all *distinct* teacher channel pairs (i ≠ i')
      pooled over all images of the batch, on the detached teacher (so σ
      carries no gradient), shared by the three kernel terms; clamped at
      eps. Needs C_T ≥ 2.

    Channel counts may differ; N and the spatial size must match (resize
    otherwise). Computed in fp32; teacher detached. Memory: the Gram path
    holds N·(C_T² + C_S² + C_T·C_S) floats.
    """

    requires_same_shape = False
    _KERNELS = ('poly', 'linear', 'gaussian')

    def __init__(self, kernel: str = 'poly', degree: int = 2,
                 coef: float = 0.0, loss_weight: float = 1.0,
                 eps: float = 1e-12):
        super().__init__(loss_weight)
        self.kernel = one_of('kernel', kernel, self._KERNELS)
        self.degree = degree
        self.coef = float(coef)
        self.eps = float(eps)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        s, t = tuple(student_shape), tuple(teacher_shape)
        name = type(self).__name__
        problem = feature_map_problem(name, s, t)
        if problem is not None:
            return problem
        if self.kernel == 'gaussian' and t[1] < 2:
            return (f'{name} with the gaussian kernel needs >= 2 teacher '
                    f'channels for its bandwidth, got student {s} and '
                    f'teacher {t}')
        return None

    def _mmd2(self, ft: torch.Tensor, fs: torch.Tensor) -> torch.Tensor:
        """Per-sample MMD² of normalised maps ft (N, Ct, D), fs (N, Cs, D)."""
        ct, cs, d = ft.shape[1], fs.shape[1], ft.shape[2]
        if self.kernel == 'linear':
            return (ft.mean(1) - fs.mean(1)).pow(2).sum(1)
        if self.kernel == 'poly' and self.degree == 2 and d * d < ct * cs:
            pt = torch.bmm(ft.transpose(1, 2), ft) / ct  # (N, D, D)
            ps = torch.bmm(fs.transpose(1, 2), fs) / cs
            mmd = (pt - ps).pow(2).sum((1, 2))
            if self.coef != 0:
                mmd = mmd + 2 * self.coef * (
                    ft.mean(1) - fs.mean(1)).pow(2).sum(1)
            return mmd
        g_tt, g_ss, g_ts = _gram(ft, ft), _gram(fs, fs), _gram(ft, fs)
        if self.kernel == 'poly':
            k_tt, k_ss, k_ts = ((g + self.coef).pow(self.degree)
                                for g in (g_tt, g_ss, g_ts))
        else:  # gaussian
            sq_t = ft.pow(2).sum(2)  # 1, or 0 for an all-zero channel
            sq_s = fs.pow(2).sum(2)
            d_tt = _sq_dist(g_tt, sq_t, sq_t)
            off_diag = ~torch.eye(ct, dtype=torch.bool, device=ft.device)
            sigma2 = d_tt[:, off_diag].mean().clamp_min(self.eps)
            scale = -0.5 / sigma2
            k_tt = torch.exp(d_tt * scale)
            k_ss = torch.exp(_sq_dist(g_ss, sq_s, sq_s) * scale)
            k_ts = torch.exp(_sq_dist(g_ts, sq_t, sq_s) * scale)
        return (k_tt.mean((1, 2)) + k_ss.mean((1, 2))
                - 2 * k_ts.mean((1, 2)))

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            fs = F.normalize(s.flatten(2), p=2, dim=2, eps=self.eps)
            ft = F.normalize(t.flatten(2), p=2, dim=2, eps=self.eps)
            return self.loss_weight * self._mmd2(ft, fs).mean()

    def extra_repr(self) -> str:
        return (f'kernel={self.kernel!r}, degree={self.degree}, '
                f'coef={self.coef}, loss_weight={self.loss_weight}')
