"""Hinton KD whose teacher may receive gradient (online / self KD)."""
from kdbench.registry import MODELS
from .kd import KDLoss


@MODELS.register_module()
class OnlineKDLoss(KDLoss):
    r""":class:`KDLoss` (same value: w·T²·KL(p(z^t/T) ‖ p(z^s/T)), same
    shapes and reductions) with a switch for the target's gradient.

    In online and self distillation the "teacher" logits come from a
    network that is being trained in the same step (Self-Guidance's full
    network, METHODS §2.5; DML/ONE peers). ``detach_teacher=True``
    (default) is :class:`KDLoss` exactly: the target is a constant.
    ``detach_teacher=False`` lets the KL's gradient flow into the teacher
    logits as well (the ablation METHODS §2.5 asks for, since the paper
    does not say): d/dz^t of T²·KL(p^t‖p^s) = T·p^t ⊙ (log p^t − log p^s −
    KL), pulling the teacher towards the student too.

    Computed in fp32 (autocast disabled), ``log_softmax`` on both sides.
    """

    def __init__(self, tau: float = 4.0, loss_weight: float = 1.0,
                 reduction: str = 'batchmean', detach_teacher: bool = True):
        super().__init__(tau=tau, loss_weight=loss_weight,
                         reduction=reduction)
        self.detach_teacher = bool(detach_teacher)

    def extra_repr(self) -> str:
        return f'{super().extra_repr()}, detach_teacher={self.detach_teacher}'
