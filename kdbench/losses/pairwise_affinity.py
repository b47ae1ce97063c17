"""Pair-wise (affinity) distillation of dense features."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, feature_map_problem, full_precision


@MODELS.register_module()
class PairwiseAffinityLoss(DistillLoss):
    r"""Structured KD, pair-wise term (Liu et al., CVPR 2019 / TPAMI,
    Eq. 2; METHODS §4): spatial positions are aggregated into nodes by max
    pooling, each node's feature vector f_i gives the cosine affinity
    a_ij = f_iᵀ f_j / (‖f_i‖ ‖f_j‖), and

    .. math::
        \ell_{pa} = \frac{1}{M^2} \sum_{i,j} (a^s_{ij} - a^t_{ij})^2

    over the M nodes of an image, averaged over the batch. The affinity is
    M × M whatever the channel counts, so student and teacher features
    need no adapter (only equal spatial size).

    **Node size.** ``node_size=(kh, kw)``: max pooling with kernel = stride
    = (kh, kw) (default 2×2 positions per node: at 1/8 of a 512×1024 crop,
    a 32×64 graph). ``pool_scale=s`` instead reproduces the official code,
    whose kernel is (int(s·H), int(s·W)) with ceil mode: at s = 0.5 any map
    becomes a 2×2 graph of 4 nodes (METHODS §4); give one of the two.

    ``detach_norm`` (default True, as the official code) stops the gradient
    through the feature norms in the denominator.
    """

    def __init__(self, node_size: Optional[Union[int, Sequence[int]]] = 2,
                 pool_scale: Optional[float] = None,
                 detach_norm: bool = True, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        if (node_size is None) == (pool_scale is None):
            raise ValueError('give exactly one of node_size (positions per '
                             'node) and pool_scale (the official code\'s '
                             'fraction of the map)')
        if isinstance(node_size, int):
            node_size = (node_size, node_size)
        self.node_size = tuple(node_size) if node_size else None
        self.pool_scale = pool_scale
        self.detach_norm = detach_norm

    requires_same_shape = False

    def shape_problem(self, student_shape, teacher_shape):
        return feature_map_problem(type(self).__name__, student_shape,
                                   teacher_shape)

    def _kernel(self, height: int, width: int) -> Tuple[int, int]:
        if self.node_size is not None:
            return self.node_size
        return (max(int(height * self.pool_scale), 1),
                max(int(width * self.pool_scale), 1))

    def affinity(self, feat: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, M, M) cosine affinities of the pooled nodes."""
        kernel = self._kernel(*feat.shape[-2:])
        nodes = F.max_pool2d(feat, kernel, kernel, ceil_mode=True)
        nodes = nodes.flatten(2)  # (N, C, M)
        norm = nodes.norm(dim=1, keepdim=True).clamp(min=1e-8)
        if self.detach_norm:
            norm = norm.detach()
        nodes = nodes / norm
        return nodes.transpose(1, 2) @ nodes

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        problem = self.shape_problem(student.shape, teacher.shape)
        if problem:
            raise ValueError(problem)
        with full_precision(student, teacher) as (s, t):
            a_s, a_t = self.affinity(s), self.affinity(t)
            per_image = (a_s - a_t).pow(2).mean((1, 2))  # Σ_ij / M²
            return self.loss_weight * per_image.mean()

    def extra_repr(self) -> str:
        how = (f'node_size={self.node_size}' if self.node_size else
               f'pool_scale={self.pool_scale}')
        return f'{how}, detach_norm={self.detach_norm}, ' \
               f'loss_weight={self.loss_weight}'
