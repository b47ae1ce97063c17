"""ReviewKD: knowledge review with attention-based fusion and the
hierarchical context loss."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


class AttentionBasedFusion(nn.Module):
    """ABF of ReviewKD (Chen et al. 2021, Fig. 3a): a 1×1 conv + BN to
    ``mid_channels``; when ``fuse``, a 2-channel sigmoid attention mixes it
    with the (nearest-upsampled) residual of the deeper level; resized to
    the teacher level's size; a 3×3 conv + BN to the teacher's channels.
    Returns (output for the loss, residual for the next, shallower level).
    """

    def __init__(self, in_channels: int, mid_channels: int,
                 out_channels: int, fuse: bool):
        super().__init__()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, 1, bias=False),
            nn.BatchNorm2d(mid_channels))
        self.conv2 = nn.Sequential(
            nn.Conv2d(mid_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels))
        self.att_conv = nn.Sequential(
            nn.Conv2d(mid_channels * 2, 2, 1), nn.Sigmoid()) if fuse else None
        # the official initialisation
        nn.init.kaiming_uniform_(self.conv1[0].weight, a=1)
        nn.init.kaiming_uniform_(self.conv2[0].weight, a=1)

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor],
                out_size: Sequence[int]):
        x = self.conv1(x)
        if self.att_conv is not None:
            residual = F.interpolate(residual, x.shape[2:], mode='nearest')
            z = self.att_conv(torch.cat([x, residual], dim=1))
            x = x * z[:, :1] + residual * z[:, 1:2]
        if tuple(x.shape[2:]) != tuple(out_size):
            x = F.interpolate(x, tuple(out_size), mode='nearest')
        return self.conv2(x), x


def hierarchical_context_loss(student: torch.Tensor,
                              teacher: torch.Tensor) -> torch.Tensor:
    """HCL of one level (ReviewKD Eq. 7, the official ``hcl_loss``): the
    mean squared error of the maps, plus that of their 4×4, 2×2 and 1×1
    average-pooled versions (those smaller than the map) with weights
    1/2, 1/4, 1/8, divided by the sum of the weights used."""
    loss = F.mse_loss(student, teacher)
    weight, total = 1.0, 1.0
    for size in (4, 2, 1):
        if size >= student.shape[2]:
            continue
        weight /= 2.0
        loss = loss + weight * F.mse_loss(
            F.adaptive_avg_pool2d(student, size),
            F.adaptive_avg_pool2d(teacher, size))
        total += weight
    return loss / total


@MODELS.register_module()
class ReviewKDLoss(DistillLoss):
    r"""Chen et al., "Distilling Knowledge via Knowledge Review", CVPR
    2021 (the official code's ReviewKD): the student's stage maps, from the
    deepest to the shallowest, pass through attention-based fusion modules
    (each shallower level fused with the residual of the deeper one), and
    each fused map is compared with the teacher's map of the same level by
    the hierarchical context loss; the levels' losses are summed and
    multiplied by ``loss_weight``. A warm-up is the config's
    ``weight_schedule`` (the official code ramps over 20 CIFAR / 1
    ImageNet epochs).

    Taps: any number of levels, the same on both sides, shallowest first
    (e.g. ``backbone.layer1`` ... ``backbone.layer4``). The official code
    taps the student before the last ReLU of each stage and adds the
    pooled feature as a 1×1 level; kdbench taps the stage outputs (after
    the ReLU) unless a config names other modules, which it may.

    Args:
        student_channels / teacher_channels: per level (inferred from the
            taps by the distiller).
        max_mid_channels: the fusion width, ``min(max_mid_channels,
            deepest student channels)`` (512 as the official code).
    """

    #: any number of taps, the same on both sides
    num_taps = None
    needs_tap_channels = 'all'
    requires_same_shape = False

    def __init__(self, student_channels: Optional[List[int]] = None,
                 teacher_channels: Optional[List[int]] = None,
                 max_mid_channels: int = 512, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        if not student_channels or not teacher_channels or \
                len(student_channels) != len(teacher_channels):
            raise ValueError(
                f'ReviewKDLoss needs one student and one teacher channel '
                f'count per level (inferred by the distiller from the '
                f'taps), got {student_channels!r} and '
                f'{teacher_channels!r}.')
        mid = min(int(max_mid_channels), int(student_channels[-1]))
        levels = len(student_channels)
        # built shallowest first, run deepest first; the deepest level has
        # nothing to fuse with
        self.fusions = nn.ModuleList(
            AttentionBasedFusion(s, mid, t, fuse=k < levels - 1)
            for k, (s, t) in enumerate(zip(student_channels,
                                           teacher_channels)))

    def shape_problem(self, student_shape, teacher_shape):
        """Per level (lists of shapes): 4-D maps of the same batch."""
        for level, (s, t) in enumerate(zip(student_shape, teacher_shape)):
            if len(s) != 4 or len(t) != 4 or s[0] != t[0]:
                return (f'ReviewKDLoss needs (N, C, H, W) maps of the same '
                        f'batch per level, got student {tuple(s)} and '
                        f'teacher {tuple(t)} at level {level}')
        return None

    def forward(self, student: Sequence[torch.Tensor],
                teacher: Sequence[torch.Tensor]) -> torch.Tensor:
        if len(student) != len(self.fusions) or \
                len(teacher) != len(self.fusions):
            raise ValueError(f'ReviewKDLoss was built for '
                             f'{len(self.fusions)} levels, got '
                             f'{len(student)} student and {len(teacher)} '
                             f'teacher maps.')
        total = 0.0
        residual = None
        for level in reversed(range(len(self.fusions))):
            with full_precision(student[level], teacher[level]) as (s, t):
                fused, residual = self.fusions[level](s, residual,
                                                      t.shape[2:])
                total = total + hierarchical_context_loss(fused, t)
        return self.loss_weight * total


__all__ = ['ReviewKDLoss', 'AttentionBasedFusion',
           'hierarchical_context_loss']
