"""DIST: distillation from a stronger teacher by relations."""
import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, check_rows, full_precision

#: the official code's epsilon in the cosine similarity's denominator
EPS = 1e-8


def pearson_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pearson correlation of each row of ``a`` with the same row of ``b``:
    the cosine similarity of the mean-centred rows."""
    a = a - a.mean(dim=1, keepdim=True)
    b = b - b.mean(dim=1, keepdim=True)
    return (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1) + EPS)


@MODELS.register_module()
class DISTLoss(DistillLoss):
    r"""Huang et al., "Knowledge Distillation from A Stronger Teacher",
    NeurIPS 2022, Eq. 5-7 (DIST):

    .. math::
        L = w \cdot T^2 \big(\beta (1 - \overline{\rho}(Y^s_{i,:},
            Y^t_{i,:})) + \gamma (1 - \overline{\rho}(Y^s_{:,j},
            Y^t_{:,j}))\big)

    with ``Y = softmax(z / T)`` over the classes, ρ the Pearson correlation
    and the bars means: over the samples of a batch (inter-class relation,
    each sample's class distribution) and over the classes (intra-class
    relation, each class's scores across the batch). The paper's
    ImageNet baseline setting is β = γ = 1, T = 1 (β = γ = 2 with its
    stronger training strategies).
    """

    compares_class_scores = True

    def __init__(self, beta: float = 1.0, gamma: float = 1.0,
                 tau: float = 1.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.beta = float(beta)
        self.gamma = float(gamma)
        self.tau = float(tau)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        check_rows('DISTLoss', 'classes', student, teacher)
        with full_precision(student, teacher) as (s, t):
            y_s = F.softmax(s / self.tau, dim=1)
            y_t = F.softmax(t / self.tau, dim=1)
            inter = 1.0 - pearson_rows(y_s, y_t).mean()
            intra = 1.0 - pearson_rows(y_s.t(), y_t.t()).mean()
            return self.loss_weight * self.tau ** 2 * (
                self.beta * inter + self.gamma * intra)

    def extra_repr(self) -> str:
        return (f'beta={self.beta}, gamma={self.gamma}, tau={self.tau}, '
                f'loss_weight={self.loss_weight}')


__all__ = ['DISTLoss', 'pearson_rows']
