"""MGD's generator: random spatial masking of the (aligned) student map
and the generation block that must rebuild the teacher's map from it."""
from typing import Optional

import torch
from torch import nn

from kdbench.registry import MODELS


@MODELS.register_module()
class MGDGenerator(nn.Module):
    """Yang et al., "Masked Generative Distillation", ECCV 2022, §3.2.

    ``student`` (N, C_s, H, W) is aligned to the teacher's channels by a
    1×1 conv when they differ, each location is zeroed with probability
    ``mask_ratio`` (λ; one mask shared by the channels, drawn anew every
    step), and the generation block (3×3 conv, ReLU, 3×3 conv) maps the
    masked map to a prediction of the teacher's. Trained with the student,
    discarded at export. In evaluation mode nothing is masked.

    Args:
        in_channels / out_channels: student / teacher channels (inferred
            from the taps by the distiller).
        mask_ratio: λ, the share of masked locations (0.65 for detection
            in the paper, 0.75 for segmentation).
    """

    needs_channels = True

    def __init__(self, in_channels: Optional[int] = None,
                 out_channels: Optional[int] = None,
                 mask_ratio: float = 0.65):
        super().__init__()
        if in_channels is None or out_channels is None:
            raise ValueError('MGDGenerator needs in_channels and '
                             'out_channels (inferred by the distiller).')
        if not 0.0 <= mask_ratio < 1.0:
            raise ValueError(f'MGDGenerator: mask_ratio must be in [0, 1), '
                             f'got {mask_ratio!r}.')
        self.mask_ratio = float(mask_ratio)
        self.align = (nn.Conv2d(in_channels, out_channels, 1)
                      if in_channels != out_channels else nn.Identity())
        self.generation = nn.Sequential(
            nn.Conv2d(out_channels, out_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1))

    def mask(self, feat: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) keep-mask: 0 with probability ``mask_ratio``."""
        n, _, h, w = feat.shape
        draw = torch.rand((n, 1, h, w), device=feat.device)
        return (draw >= self.mask_ratio).to(feat.dtype)

    def forward(self, student: torch.Tensor,
                teacher: Optional[torch.Tensor] = None) -> torch.Tensor:
        feat = self.align(student)
        if self.training and self.mask_ratio > 0:
            feat = feat * self.mask(feat)
        return self.generation(feat)


__all__ = ['MGDGenerator']
