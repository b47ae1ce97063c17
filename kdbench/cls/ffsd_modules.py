"""FFSD's extra trainable modules (Li et al., arXiv:2103.14473, METHODS.md
§2.6): the feature-fusion module, the leader's TransFusion head and the
self-distillation module, following the official code (SJLeo/FFSD,
``models/fusion_module.py``, ``models/self_distillation.py``)."""
from typing import List, Sequence, Tuple

import torch
from torch import nn

from kdbench.losses.attention_diversity import shifted_attention


def _init(module: nn.Module) -> None:
    """The code's init: conv N(0, sqrt(2 / (k·k·C_out))), BN weight 1,
    bias 0 (Linear layers keep PyTorch's default)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight, mode='fan_out',
                                    nonlinearity='relu')
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def _dw_pw(in_channels: int, out_channels: int) -> nn.Sequential:
    """Depthwise 3×3 conv + BN + ReLU, then 1×1 conv + BN + ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, in_channels, 3, padding=1,
                  groups=in_channels, bias=False),
        nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
        nn.Conv2d(in_channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class FeatureFusion(nn.Module):
    """Fuse the concatenated last-stage maps of n students (C·n channels)
    into F_f (C channels) and classify it: returns ``(F_f, z_f)``."""

    def __init__(self, channels: int, num_students: int, num_classes: int):
        super().__init__()
        self.encoder = _dw_pw(channels * num_students, channels)
        self.fc = nn.Linear(channels, num_classes)
        _init(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        fused = self.encoder(x)
        return fused, self.fc(fused.mean(dim=(2, 3)))


class TransFusion(nn.Module):
    """σ(·) of Eq. (5): maps the leader's last-stage map (C channels) to the
    students' concatenated channel count (C·n)."""

    def __init__(self, channels: int, num_students: int):
        super().__init__()
        self.layers = _dw_pw(channels, channels * num_students)
        # the code applies the same init (its leader's reset_parameters)
        _init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class SelfDistillationModule(nn.Module):
    """M−1 blocks (ConvTranspose 3×3 stride 2 + BN + ReLU) mapping the last
    tapped map F^M back to F^{M−1}, ..., F^1 (Sec. III-C).

    Args:
        channels: channels of the taps F^1..F^M (shallow to deep).
    """

    def __init__(self, channels: Sequence[int]):
        super().__init__()
        chans = list(channels)[::-1]
        self.blocks = nn.ModuleList(
            nn.ModuleDict(dict(
                deconv=nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1,
                                          bias=False),
                bn=nn.BatchNorm2d(cout)))
            for cin, cout in zip(chans[:-1], chans[1:]))
        _init(self)

    def forward(self, x: torch.Tensor,
                sizes: Sequence[Sequence[int]]) -> List[torch.Tensor]:
        """``sizes``: spatial sizes of F^1..F^{M−1}; returns the maps for
        F^1..F^{M−1} (shallow to deep). The output size resolves the
        transposed conv's ambiguity (e.g. 4 → 7 px on 28 px inputs, where
        the code's output_padding=1 assumes 4 → 8)."""
        outs = []
        for block, size in zip(self.blocks, list(sizes)[::-1]):
            h, w = x.shape[2:]
            if not all(2 * a - 1 <= b <= 2 * a for a, b in
                       zip((h, w), size)):
                raise ValueError(
                    f'FFSD self-distillation blocks upsample x2: cannot map '
                    f'{h}x{w} to {tuple(size)}. Tap stages whose resolution '
                    f'halves from one tap to the next (e.g. the stage '
                    f'outputs backbone.layer1..layer4).')
            x = block['deconv'](x, output_size=list(size))
            x = torch.relu(block['bn'](x))
            outs.append(x)
        return outs[::-1]


def diversity_target_feature(feat: torch.Tensor) -> torch.Tensor:
    """The diversity target Ā of Eq. (8) turned back into a feature map
    (code: ``diversity_target``): ``F + (Ā − Â)·P / C`` broadcast over the
    channels, the input of the self-distillation module for Eq. (11)."""
    n, c = feat.shape[:2]
    a = feat.pow(2).mean(dim=1).flatten(1)
    norm = a.norm(dim=1, keepdim=True)
    a_hat = nn.functional.normalize(a, dim=1)
    diff = shifted_attention(a) - a_hat
    return feat + (diff * norm / c).view(n, 1, *feat.shape[2:])
