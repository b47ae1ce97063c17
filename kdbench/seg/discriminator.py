"""The holistic critic of Structured KD: a SAGAN-style discriminator on
segmentation score maps."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from kdbench.registry import MODELS


class SelfAttention(nn.Module):
    """SAGAN self-attention (Zhang et al., ICML 2019): query / key at C/8
    channels, softmax over positions, ``out = γ·attention + x`` with γ
    starting at 0."""

    def __init__(self, channels: int):
        super().__init__()
        inner = max(channels // 8, 1)
        self.query = nn.Conv2d(channels, inner, 1)
        self.key = nn.Conv2d(channels, inner, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # (N, HW, C')
        k = self.key(x).flatten(2)                     # (N, C', HW)
        attention = torch.softmax(q @ k, dim=-1)       # (N, HW, HW)
        v = self.value(x).flatten(2)                   # (N, C, HW)
        out = (v @ attention.transpose(1, 2)).view(n, c, h, w)
        return self.gamma * out + x


@MODELS.register_module()
class ScoreMapDiscriminator(nn.Module):
    """Structured KD's holistic critic (Liu et al., CVPR 2019, §3.3;
    METHODS §4, official code): the class score map through a BN
    preprocessing layer, four spectral-norm 4×4 stride-2 convolutions
    (64-128-256-512 channels, LeakyReLU 0.1) with self-attention after the
    3rd and 4th, and a final 4×4 convolution to a 1-channel map, averaged
    to one score per image.

    Args:
        num_classes: channels of the score maps.
        with_image: also condition on the image (resized to the score map
            and concatenated), as the paper describes; the official code
            does not (default False).
        channels: widths of the four strided convolutions.
    """

    def __init__(self, num_classes: int, with_image: bool = False,
                 channels: Sequence[int] = (64, 128, 256, 512),
                 negative_slope: float = 0.1):
        super().__init__()
        in_channels = num_classes + (3 if with_image else 0)
        self.with_image = with_image
        self.preprocess = nn.BatchNorm2d(in_channels)
        layers = []
        for i, out_channels in enumerate(channels):
            layers.append(spectral_norm(
                nn.Conv2d(in_channels, out_channels, 4, 2, 1)))
            layers.append(nn.LeakyReLU(negative_slope))
            if i >= len(channels) - 2:
                layers.append(SelfAttention(out_channels))
            in_channels = out_channels
        self.body = nn.Sequential(*layers)
        self.last = nn.Conv2d(in_channels, 1, 4)
        self.min_size = 4 * 2 ** len(channels)

    def forward(self, scores: torch.Tensor,
                image: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, C, H, W) score maps (and (N, 3, H', W') images when
        ``with_image``) -> (N,) critic values."""
        h, w = scores.shape[-2:]
        if h < self.min_size or w < self.min_size:
            raise ValueError(
                f'ScoreMapDiscriminator needs score maps of at least '
                f'{self.min_size}x{self.min_size} (4 stride-2 convs and a '
                f'4x4 conv), got {h}x{w}; upsample the logits before the '
                f'critic (the distiller\'s critic_input_size).')
        if self.with_image:
            if image is None:
                raise ValueError('with_image=True: pass the images too.')
            image = F.interpolate(image, (h, w), mode='bilinear',
                                  align_corners=False)
            scores = torch.cat([scores, image], 1)
        return self.last(self.body(self.preprocess(scores))).mean((1, 2, 3))
