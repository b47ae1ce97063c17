"""Self-Guidance: the view module of ``kdbench.SelfDistiller`` for method id
``self_guidance``."""
from contextlib import nullcontext
from typing import Dict, Optional

import torch
from torch import nn

from kdbench.distillers.self_distiller import SelfDistillView
from kdbench.recorders import find_module, parse_tap
from kdbench.registry import MODELS
from kdbench.utils.batchnorm import running_stats_frozen
from .stochastic_depth import StochasticDepth


@MODELS.register_module()
class SelfGuidanceView(SelfDistillView):
    r"""Zheng & Peng, "Self-Guidance: Improve Deep Neural Network
    Generalization via Knowledge Distillation", WACV 2022, Eq. (5)
    (METHODS §2.5):

    .. math::
        L = \mathrm{CE}(p^S) + \mathrm{CE}(p^T)
            + \lambda\,\tau^2\,\mathrm{KL}(p^T_\tau \,\|\, p^S_\tau)

    Teacher T = the full network under the stochastic-depth test rule
    (branch l scaled by p_l; the wrapper's full pass, its CE is
    ``student.loss``); student S = a sub-network of the same weights
    sampled once per mini-batch, b_l ~ Bernoulli(p_l) (its CE is
    ``distill.loss_sub``, the KL ``distill.loss_kd``; ``distill.kept_blocks``
    logs Σ b_l). Survival p_l = 1 − (l/L)(1 − p_L), p_L = 0.5 ("same as
    stochastic depth"; METHODS marks p_L as unverified), over the L
    residual blocks of the backbone (``kdbench.cls.stochastic_depth``).

    The KL is :class:`kdbench.OnlineKDLoss` with τ = 3, λ = 0.25 (its
    ``loss_weight``); the paper leaves the KL direction and the teacher's
    gradient open: teacher-as-target and ``detach_teacher=True`` by
    default, ``kd=dict(detach_teacher=False)`` lets the KL's gradient
    flow through the teacher pass too (ablation). Both passes run in
    training mode (BN batch statistics); only the full pass updates the
    running statistics, so the deployed network evaluates with the
    statistics a plain student's training would give it (the sampled
    sub-networks' activations differ downstream of a dropped block).
    ``sub_updates_bn_stats=True`` lets the sub-network pass update them
    too (the behaviour before the protocol fix).

    **Deployment (a choice).** The deployed network is the full network
    under the test rule, i.e. the teacher that was trained with CE: the
    paper's "full network" inference, the Stochastic Depth test rule.
    ``predict`` / ``tensor`` apply it, and the exported ``weights.pth``
    folds p_l into the last BN of each residual branch (γ, β ← p_l·γ,
    p_l·β; exact because the scale follows an affine BN), so the plain
    student config loading it computes the same outputs with no scaling.

    Args:
        backbone: path of the ResNet backbone in the network.
        logits: tap of the logits.
        survival_last: p_L.
        survival: explicit p_l per block (overrides the linear decay).
        kd: :class:`kdbench.OnlineKDLoss` config (``tau``,
            ``loss_weight`` = λ, ``detach_teacher``).
        sub_loss_weight: factor on the sub-network's CE (1 in Eq. 5).
        sub_updates_bn_stats: whether the sub-network pass updates the BN
            running statistics.
    """

    def __init__(self, backbone: str = 'backbone', logits: str = 'head.fc',
                 survival_last: float = 0.5, survival=None,
                 kd: Optional[dict] = None, sub_loss_weight: float = 1.0,
                 sub_updates_bn_stats: bool = False):
        super().__init__()
        self.sub_updates_bn_stats = bool(sub_updates_bn_stats)
        self.backbone = backbone
        self.logits = logits
        self.taps = (logits, )
        self.survival_last = float(survival_last)
        self.survival = survival
        self.sub_loss_weight = float(sub_loss_weight)
        self.kd = MODELS.build({'type': 'kdbench.OnlineKDLoss', 'tau': 3.0,
                                'loss_weight': 0.25, **(kd or {})})
        self.sd: Optional[StochasticDepth] = None
        self._block_names = []

    def attach(self, student: nn.Module) -> None:
        find_module(student, parse_tap(self.logits)[0], 'student')
        backbone = find_module(student, self.backbone, 'student')
        self.sd = StochasticDepth(backbone, self.survival_last,
                                  self.survival)
        names = {id(m): n for n, m in student.named_modules()}
        self._block_names = [names[id(b)] for b in self.sd.blocks]

    def full_pass(self, student):
        return self.sd.test_rule()

    def deploy_pass(self, student):
        return self.sd.test_rule()

    def view_losses(self, student, inputs, data_samples, full,
                    recorder) -> Dict[str, torch.Tensor]:
        keep = self.sd.sample()
        frozen = (nullcontext() if self.sub_updates_bn_stats else
                  running_stats_frozen(student))
        with recorder.recording(), self.sd.scaled(keep.tolist()), frozen:
            sub = student(inputs, data_samples, mode='loss')
            sub_logits = recorder.get(self.logits)
        loss_sub = sum(v for k, v in sub.items() if 'loss' in k)
        return dict(loss_sub=self.sub_loss_weight * loss_sub,
                    loss_kd=self.kd(sub_logits, full[self.logits]),
                    kept_blocks=keep.sum().to(sub_logits.device))

    def deploy_state_dict(self, student) -> Dict[str, torch.Tensor]:
        return self.sd.fold(student.state_dict(), self._block_names)
