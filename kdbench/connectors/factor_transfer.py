"""Factor Transfer's paraphraser (teacher side) and translator (student
side): Kim, Park & Kwak, "Paraphrasing Complex Network: Network Compression
via Factor Transfer", NeurIPS 2018, arXiv:1802.04977, §3.1-3.2."""
from typing import Optional

import torch
from torch import nn

from kdbench.registry import MODELS


def _conv_block(in_channels: int, out_channels: int,
                transposed: bool = False) -> nn.Sequential:
    conv = nn.ConvTranspose2d if transposed else nn.Conv2d
    return nn.Sequential(
        conv(in_channels, out_channels, 3, stride=1, padding=1, bias=False),
        nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.1))


def factor_channels(channels: int, factor: float) -> int:
    """k·m, the factor width of an m-channel teacher feature (at least 1)."""
    return max(1, int(round(channels * factor)))


class Paraphraser(nn.Module):
    """Encoder: three 3×3 conv-BN-LeakyReLU(0.1) blocks m → m → k·m → k·m
    (the factor); decoder: the mirror with transposed convs back to m
    channels. Trained unsupervised on the teacher feature, then frozen."""

    def __init__(self, in_channels: int, factor: float = 0.5):
        super().__init__()
        width = factor_channels(in_channels, factor)
        self.encoder = nn.Sequential(
            _conv_block(in_channels, in_channels),
            _conv_block(in_channels, width), _conv_block(width, width))
        self.decoder = nn.Sequential(
            _conv_block(width, width, transposed=True),
            _conv_block(width, in_channels, transposed=True),
            _conv_block(in_channels, in_channels, transposed=True))

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(feature))


@MODELS.register_module()
class FactorTranslator(nn.Module):
    """Student-side translator: three 3×3 conv-BN-LeakyReLU(0.1) blocks from
    the student's channels to the teacher factor's k·m channels. Used as the
    connector of ``kdbench.FactorTransferLoss``; discarded at inference.

    Args:
        in_channels / out_channels: student / teacher channels m (inferred
            from the taps when ``None``); the output has k·m channels.
        factor: the paraphrase rate k (paper: 0.5); must equal the loss's.
    """

    needs_channels = True

    def __init__(self, in_channels: Optional[int] = None,
                 out_channels: Optional[int] = None, factor: float = 0.5):
        super().__init__()
        if in_channels is None or out_channels is None:
            raise ValueError('FactorTranslator needs in_channels and '
                             'out_channels (inferred from the taps by the '
                             'distiller, or set them explicitly).')
        width = factor_channels(out_channels, factor)
        self.layers = nn.Sequential(
            _conv_block(in_channels, in_channels),
            _conv_block(in_channels, width), _conv_block(width, width))

    def forward(self, student: torch.Tensor,
                teacher: Optional[torch.Tensor] = None) -> torch.Tensor:
        return self.layers(student)
