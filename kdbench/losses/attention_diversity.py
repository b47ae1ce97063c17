"""FFSD diversity loss: match a shifted copy of a peer's attention map."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, feature_map_problem, full_precision


def attention_map(x: torch.Tensor) -> torch.Tensor:
    """Channel-mean squared activation, flattened: (N, C, *) -> (N, prod(*))
    (FFSD Eq. 7 with the code's mean instead of sum over channels)."""
    return x.pow(2).mean(dim=1).flatten(1)


def shifted_attention(a: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    r"""FFSD Eq. (8), code form: with P = ‖a‖₂ of the *unnormalised* map,
    â = a / ‖a‖₂ and t the ⌊HW/3⌋-th smallest entry of â,
    ``Ā = (P/2 − â)·sign(â − t) + P/2`` (entries below t are kept, the
    others become P − â). ``a`` is (N, HW); the result is not
    re-normalised (as in the code)."""
    norm = a.norm(dim=1, keepdim=True)
    a_hat = F.normalize(a, dim=1, eps=eps)
    k = max(int(a.shape[1] / 3), 1)
    t = a_hat.topk(k, dim=1, largest=False)[0][:, -1:]
    return (norm / 2 - a_hat) * torch.sign(a_hat - t) + norm / 2


@MODELS.register_module()
class AttentionDiversityLoss(DistillLoss):
    r"""Li et al., "Distilling a Powerful Student Model via Online Knowledge
    Distillation" (FFSD), arXiv:2103.14473, Eqs. (7)–(9) (METHODS.md §2.6),
    in the form of the official code (SJLeo/FFSD ``diversity_loss``):

    .. math::
        L = w \cdot \mathrm{mean}_{n,x}\big(\hat A_i - \bar A_{i-1}\big)^2

    with ``student`` = F_i (the student being diversified), ``teacher`` =
    F_{i−1} (its predecessor in the one-way chain, detached), Â the
    L2-normalised channel-mean attention and Ā the shifted target of
    :func:`shifted_attention`. The paper's Eq. (9) normalises Ā and takes
    an L2 norm; the code (followed here) does neither and mixes the
    unnormalised P with the normalised map (METHODS.md §2.6 notes this).

    Shapes: (N, C, H, W) maps of equal N and H, W (channels may differ).
    Computed in fp32; the teacher is detached.
    """

    requires_same_shape = False

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-12):
        super().__init__(loss_weight)
        self.eps = float(eps)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        return feature_map_problem(type(self).__name__, student_shape,
                                   teacher_shape)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            a_s = F.normalize(attention_map(s), dim=1, eps=self.eps)
            target = shifted_attention(attention_map(t), self.eps)
            return self.loss_weight * (a_s - target).pow(2).mean()
