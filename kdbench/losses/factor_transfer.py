"""Factor Transfer: paraphraser reconstruction, then factor matching."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from kdbench.connectors.factor_transfer import Paraphraser
from kdbench.registry import MODELS
from .base import DistillLoss, full_precision


@MODELS.register_module()
class FactorTransferLoss(DistillLoss):
    r"""Kim, Park & Kwak, "Paraphrasing Complex Network: Network Compression
    via Factor Transfer", NeurIPS 2018, arXiv:1802.04977 (METHODS §1.4).

    The loss owns the teacher-side **paraphraser** P (encoder E, decoder D)
    and runs in one of two phases, switched by a stage-wise distiller:

    * ``'paraphrase'`` (Eq. 1): train P alone on the teacher feature x,
      :math:`L_{rec} = \operatorname{mean}(x - D(E(x)))^2`
      (mean-squared; the student is not used and need not run);
    * ``'transfer'`` (Eq. 2-3, default): P frozen in eval mode, factors
      :math:`F_T = E(x)` and :math:`F_S` = the translator output (the
      student tap's connector, ``kdbench.FactorTranslator``):

      .. math::
          L = w \cdot \tfrac1N \sum_n \Big\| \frac{F_T}{\|F_T\|_2}
              - \frac{F_S}{\|F_S\|_2} \Big\|_p

      each sample's factor flattened before the norms, p = 1 by default.
      ``w`` is the paper's β/2. [METHODS: β not re-verified] The official
      code multiplies a *mean* L1 by β = 500; for factors of ~1000
      elements that equals this per-sample L1 sum with w ≈ 0.5, our
      default.

    Args:
        in_channels: teacher feature channels m (filled in by the distiller
            from the teacher tap when ``None``).
        factor: paraphrase rate k (factor width k·m), 0.5 in the paper.
        p: norm of the factor difference (1 in the paper).
    """

    requires_same_shape = True
    needs_teacher_channels = True
    phases = ('paraphrase', 'transfer')

    def __init__(self, in_channels: Optional[int] = None, factor: float = 0.5,
                 p: int = 1, loss_weight: float = 0.5):
        super().__init__(loss_weight)
        if in_channels is None:
            raise ValueError('FactorTransferLoss needs in_channels (the '
                             'teacher channels; the distiller infers them '
                             'from the teacher tap).')
        if p not in (1, 2):
            raise ValueError(f'p must be 1 or 2, got {p}')
        self.paraphraser = Paraphraser(in_channels, factor)
        self.p = p
        self.phase = 'transfer'

    def set_phase(self, phase: str) -> None:
        if phase not in self.phases:
            raise ValueError(f'FactorTransferLoss phase must be one of '
                             f'{self.phases}, got {phase!r}')
        self.phase = phase
        self.train(self.training)

    def train(self, mode: bool = True):
        """The paraphraser keeps its BN statistics frozen once trained."""
        super().train(mode)
        if self.phase == 'transfer':
            self.paraphraser.eval()
        return self

    @property
    def uses_student(self) -> bool:
        return self.phase == 'transfer'

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        if self.phase == 'paraphrase':
            return None
        factor_shape = (teacher_shape[0],
                        self.paraphraser.encoder[-1][0].out_channels,
                        *teacher_shape[2:])
        return super().shape_problem(student_shape, factor_shape)

    def forward(self, student: Optional[torch.Tensor],
                teacher: torch.Tensor) -> torch.Tensor:
        if self.phase == 'paraphrase':
            with torch.autocast(teacher.device.type, enabled=False):
                x = teacher.detach().float()
                return F.mse_loss(self.paraphraser(x), x)
        with torch.no_grad():
            factor_t = self.paraphraser.encoder(teacher.detach().float())
        with full_precision(student, factor_t) as (s, t):
            s = F.normalize(s.flatten(1), dim=1)
            t = F.normalize(t.flatten(1), dim=1)
            per_sample = (t - s).norm(p=self.p, dim=1)
            return self.loss_weight * per_sample.mean()

    def extra_repr(self) -> str:
        return (f'phase={self.phase!r}, p={self.p}, '
                f'loss_weight={self.loss_weight}')
