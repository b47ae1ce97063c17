"""Relational knowledge distillation (distance + angle)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class RKDLoss(DistillLoss):
    r"""Park, Kim, Lu & Cho, "Relational Knowledge Distillation", CVPR 2019,
    arXiv:1904.05068, Eq. (3)–(7) (METHODS §1.8).

    Features are flattened to (N, D) ((N, C, H, W) and (N, C) both work; D
    may differ between student and teacher, only N must match, N ≥ 2), then
    optionally L2-normalised per sample (``l2_normalize=True``, the mmrazor
    ImageNet default; the official code does not normalise).
    ℓ_δ is smooth-L1 / Huber with δ = 1.

    * **Distance** (Eq. 3–4): ψ_D(x_i, x_j) = ‖x_i − x_j‖₂ / μ, μ the mean of
      ‖x_i − x_j‖₂ over distinct pairs i ≠ j (diagonal excluded from μ;
      the teacher side carries no gradient).
      L_D = mean over the N(N−1) ordered off-diagonal pairs of
      ℓ_δ(ψ_D^s, ψ_D^t). (The official code and mmrazor average over all N²
      entries including the zero diagonal, i.e. they are (N−1)/N × this
      L_D; the paper writes a sum.) Distances are computed directly
      (``torch.cdist`` without the Gram-matrix shortcut the official code
      uses, which loses precision for close samples).
    * **Angle** (Eq. 5–6): e_ij = (x_i − x_j)/‖x_i − x_j‖₂,
      ψ_A(i, j, k) = ⟨e_ij, e_kj⟩ over all (i, j, k) ∈ [N]³;
      L_A = mean over all N³ entries of ℓ_δ(ψ_A^s, ψ_A^t), as in the
      official code: degenerate triplets (i = j or k = j) have a zero edge
      vector, ψ_A = 0 on both sides, so they add 0 but count in the mean.
      Zero edges (also from duplicate samples) are mapped to e = 0 with a
      bounded gradient, where the official ``F.normalize`` would scale the
      gradient by 1/eps = 1e12.
      Memory: O(N²·D) edges and O(N³) angles per side.

    Total: ``loss_weight · (distance_weight · L_D + angle_weight · L_A)``;
    a zero weight skips that term's computation. Defaults 25 / 50 are the
    mmrazor ImageNet values (the paper's metric-learning weights are 1 and
    2, unverified). Computed in fp32; teacher detached. Relations are per
    process (no cross-GPU gathering).
    """

    requires_same_shape = False

    def __init__(self, distance_weight: float = 25.0,
                 angle_weight: float = 50.0, l2_normalize: bool = True,
                 loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.distance_weight = float(distance_weight)
        self.angle_weight = float(angle_weight)
        self.l2_normalize = bool(l2_normalize)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        s, t = tuple(student_shape), tuple(teacher_shape)
        name = type(self).__name__
        if len(s) < 2 or len(t) < 2:
            return (f'{name} needs features (N, D) or (N, C, ...), got '
                    f'student {s} and teacher {t}')
        if s[0] != t[0]:
            return (f'{name} needs the same batch size N (feature sizes may '
                    f'differ), got student {s} and teacher {t}')
        if s[0] < 2:
            return (f'{name} relates samples within a batch and needs N >= '
                    f'2, got student {s} and teacher {t}')
        return None

    @staticmethod
    def _normalized_distances(x: torch.Tensor) -> torch.Tensor:
        """ψ_D over the N(N−1) off-diagonal pairs, flattened."""
        n = x.shape[0]
        d = torch.cdist(x[None], x[None],
                        compute_mode='donot_use_mm_for_euclid_dist')[0]
        d = d[~torch.eye(n, dtype=torch.bool, device=x.device)]
        return d / d.mean()

    @staticmethod
    def _angles(x: torch.Tensor) -> torch.Tensor:
        """ψ_A[j, i, k] = ⟨e_ij, e_kj⟩, shape (N, N, N)."""
        diff = x[None, :, :] - x[:, None, :]  # diff[j, i] = x_i − x_j
        norm = torch.linalg.vector_norm(diff, dim=2, keepdim=True)
        # zero edges (i = j, duplicate samples) -> e = 0 with a bounded
        # gradient (F.normalize would scale it by 1/eps = 1e12)
        e = diff / torch.where(norm > 0, norm, torch.ones_like(norm))
        return torch.bmm(e, e.transpose(1, 2))

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            s, t = s.flatten(1), t.flatten(1)
            if self.l2_normalize:
                s = F.normalize(s, p=2, dim=1)
                t = F.normalize(t, p=2, dim=1)
            loss = s.new_zeros(())
            if self.distance_weight:
                loss = loss + self.distance_weight * F.smooth_l1_loss(
                    self._normalized_distances(s),
                    self._normalized_distances(t), beta=1.0)
            if self.angle_weight:
                loss = loss + self.angle_weight * F.smooth_l1_loss(
                    self._angles(s), self._angles(t), beta=1.0)
            return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'distance_weight={self.distance_weight}, '
                f'angle_weight={self.angle_weight}, '
                f'l2_normalize={self.l2_normalize}, '
                f'loss_weight={self.loss_weight}')
