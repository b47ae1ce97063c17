"""Activation-boundary transfer (hinge surrogate)."""
import torch
import torch.nn.functional as F

from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class ActivationBoundaryLoss(DistillLoss):
    r"""Heo et al., "Knowledge Transfer via Distillation of Activation
    Boundaries Formed by Hidden Neurons", AAAI 2019, arXiv:1811.03233,
    Eq. (5) (METHODS §1.6). With ρ(t) = 1[t > 0] on the teacher's
    **pre-ReLU** response t and the connector output s = r(S):

    .. math::
        L = w \cdot \tfrac1N \sum_n \big\| \rho(t) \odot \max(0, \mu - s)
            + (1 - \rho(t)) \odot \max(0, \mu + s) \big\|_2^2

    i.e. a squared hinge with margin ``margin`` (μ) pushing s above μ where
    the teacher neuron is active and below −μ where it is not. The sum runs
    over all elements of a sample, the mean over the batch. mmrazor's
    ``ABLoss`` uses the same sum but multiplies it by 3/(1000·N) (an
    AlphaNet constant); with ``loss_weight=0.003`` this loss equals it.
    μ is in activation units (it depends on the BN scale of the connector).

    Shapes must be identical (student after its connector). Computed in
    fp32; the teacher is detached (its sign only is used).
    """

    def __init__(self, margin: float = 1.0, loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.margin = float(margin)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        with full_precision(student, teacher) as (s, t):
            active = (t > 0).to(s.dtype)
            hinge = active * F.relu(self.margin - s) + \
                (1 - active) * F.relu(self.margin + s)
            return self.loss_weight * hinge.pow(2).sum() / s.shape[0]

    def extra_repr(self) -> str:
        return f'margin={self.margin}, loss_weight={self.loss_weight}'
