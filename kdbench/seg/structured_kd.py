"""Structured KD's holistic term: an adversarial critic trained in the same
train_step as the student."""
import copy
import math
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from kdbench.distillers.single_teacher import DistillerConfigError
from kdbench.losses.wgan_gp import critic_loss
from kdbench.recorders import ModuleOutputRecorder
from kdbench.utils.dist import average_gradients
from kdbench.registry import MODELS
from .segmentation_distiller import SegmentationDistiller


class NonFiniteLossError(FloatingPointError):
    """An adversarial loss became NaN or infinite."""


@MODELS.register_module()
class StructuredKDDistiller(SegmentationDistiller):
    """Structured KD (Liu et al., CVPR 2019; METHODS §4): the pixel-wise
    and pair-wise terms (tap-based ``distill_losses``) plus the holistic
    term, a conditional WGAN-GP critic D on the score maps:

    * student: ``−λ_d·E[D(S)]`` added to its losses (``distill.loss_adv``);
    * critic, one step per student step, on detached maps:
      ``λ_d·(−E[D(T)] + E[D(S)] + λ_gp·GP)`` (λ_d also weighs the penalty,
      as the official code).

    ``train_step`` needs an :class:`OptimWrapperDict` with keys ``student``
    and ``critic`` (``kdbench.MultiOptimWrapperConstructor``; add
    ``connectors`` if a loss has a trainable connector).

    **Distributed.** Under a launcher use ``model_wrapper_cfg=dict(type=
    'MMSeparateDistributedDataParallel')``: the student is then its own DDP
    module and runs its forward through it (gradients all-reduced as
    usual). The critic is never run through its DDP wrapper: DDP cannot
    take the double backward of the gradient penalty, and the student step
    needs no critic gradient. It runs unwrapped and its gradients are
    averaged over the ranks by one all-reduce before its optimizer step.
    A NaN or inf in the adversarial terms stops training with
    :class:`NonFiniteLossError` naming the iteration.

    Args:
        critic: the critic config (``kdbench.ScoreMapDiscriminator``;
            ``num_classes`` defaults to the student's).
        critic_weight: λ_d (0.1).
        gp_weight: λ_gp (10).
        logits: tap of the score maps (student and teacher).
        critic_input_size: (H, W) the maps are bilinearly resized to before
            the critic (None: as they are).
        Other arguments: see :class:`SegmentationDistiller`.
    """

    def __init__(self, *args, critic: Optional[dict] = None,
                 critic_weight: float = 0.1, gp_weight: float = 10.0,
                 logits: str = 'decode_head.conv_seg',
                 critic_input_size: Optional[Sequence[int]] = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.critic_weight = float(critic_weight)
        self.gp_weight = float(gp_weight)
        self.logits_tap = logits
        self.critic_input_size = (tuple(critic_input_size)
                                  if critic_input_size else None)
        self.critic = None
        if critic:
            critic = copy.deepcopy(dict(critic))
            critic.setdefault('num_classes', self._num_classes())
            self.critic = MODELS.build(critic)
            self.with_image = bool(getattr(self.critic, 'with_image', False))
            for name in ('student', 'teacher'):
                recorder = getattr(self, f'{name}_recorder')
                taps = list(recorder.modules) + [logits]
                recorder.remove()
                setattr(self, f'{name}_recorder', ModuleOutputRecorder(
                    getattr(self, name), taps, name))
        self._critic_inputs = None

    def _num_classes(self) -> int:
        head = getattr(self.student, 'decode_head', None)
        if head is None or not hasattr(head, 'num_classes'):
            raise DistillerConfigError(
                'StructuredKDDistiller: set critic.num_classes (the student '
                'has no decode_head.num_classes).')
        return head.num_classes

    # ------------------------------------------------------------ forward
    def extra_losses(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        """The student's adversarial term −λ_d·E[D(S)]; keeps the detached
        score maps for the critic's step."""
        if self.critic is None:
            return {}
        s_maps = self._critic_input(self.student_recorder.get(self.logits_tap))
        t_maps = self._critic_input(self.teacher_recorder.get(self.logits_tap))
        image = inputs if self.with_image else None
        self._critic_inputs = (s_maps.detach(), t_maps.detach(), image)
        return {'distill.loss_adv':
                -self.critic_weight * self._critic(s_maps, image).mean()}

    def _critic_input(self, maps: torch.Tensor) -> torch.Tensor:
        if self.critic_input_size and \
                tuple(maps.shape[-2:]) != self.critic_input_size:
            maps = F.interpolate(maps, self.critic_input_size,
                                 mode='bilinear', align_corners=False)
        return maps

    def _critic(self, maps, image=None):
        critic = self.critic.module if is_model_wrapper(self.critic) \
            else self.critic
        return critic(maps, image) if image is not None else critic(maps)

    # --------------------------------------------------------- train step
    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        if self.critic is None:
            return super().train_step(data, optim_wrapper)
        if not isinstance(optim_wrapper, OptimWrapperDict) or \
                not {'student', 'critic'} <= set(optim_wrapper.keys()):
            raise DistillerConfigError(
                'StructuredKDDistiller with a critic needs one optimizer per '
                'part: optim_wrapper=dict(constructor='
                "'kdbench.MultiOptimWrapperConstructor', student=dict(...), "
                'critic=dict(...)).')
        if 'connectors' not in optim_wrapper.keys() and any(
                p.requires_grad for p in self.connectors.parameters()):
            raise DistillerConfigError(
                'StructuredKDDistiller: the connectors have trainable '
                'parameters but optim_wrapper has no `connectors` entry; '
                'add connectors=dict(...) next to student and critic.')
        data = self.data_preprocessor(data, True)
        student_optim = optim_wrapper['student']
        self.critic.requires_grad_(False)  # no critic grads in this step
        try:
            with student_optim.optim_context(self.student):
                losses = self.loss(**data)
        finally:
            self.critic.requires_grad_(True)
        self._check_finite(losses['distill.loss_adv'], 'distill.loss_adv')
        total, log_vars = self.parse_losses(losses)
        student_optim.update_params(total)
        if 'connectors' in optim_wrapper.keys():
            optim_wrapper['connectors'].step()
            optim_wrapper['connectors'].zero_grad()
        critic_optim = optim_wrapper['critic']
        s_maps, t_maps, image = self._critic_inputs
        self._critic_inputs = None
        with critic_optim.optim_context(self.critic):
            parts = critic_loss(lambda x: self._critic(x, image),
                                t_maps, s_maps, self.gp_weight)
            d_loss = self.critic_weight * (parts['loss_wasserstein'] +
                                           parts['loss_gp'])
        self._check_finite(d_loss, 'critic.loss')
        critic_optim.backward(d_loss)
        average_gradients(self.critic.parameters())
        critic_optim.step()
        critic_optim.zero_grad()
        log_vars.update({
            'critic.loss': d_loss.detach(),
            'critic.loss_gp': (self.critic_weight *
                               parts['loss_gp']).detach(),
            'critic.d_real': parts['d_real'], 'critic.d_fake': parts['d_fake']
        })
        return log_vars

    @staticmethod
    def _check_finite(value: torch.Tensor, name: str) -> None:
        number = float(value.detach())
        if not math.isfinite(number):
            iteration = MessageHub.get_current_instance().get_info('iter')
            raise NonFiniteLossError(
                f'{name} is {number} at iteration {iteration}: the '
                f'adversarial training diverged. Lower the critic lr or '
                f'critic_weight, or check the score maps fed to the critic.')
