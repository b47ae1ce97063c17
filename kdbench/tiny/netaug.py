"""Network Augmentation (Cai et al., ICLR 2022; METHODS §5.1)."""
import random
from typing import Dict, List, Optional

import torch
from mmengine.logging import MessageHub
from mmpretrain.models import ImageClassifier

from kdbench.registry import MODELS
from .mobilenet_v2 import SliceableMobileNetV2
from .sliceable_classifier import (base_classifier_state,
                                   widen_classifier_input)


@MODELS.register_module()
class NetAugClassifier(ImageClassifier):
    r"""An mmpretrain ``ImageClassifier`` on a sliceable backbone, trained
    with NetAug:

    .. math::
        L_{aug} = L(W_{base}) + \alpha\,L([W_{base}, W_{aug}])

    Every training step computes the loss of the tiny (base) network and of
    one augmented network that contains it, sampled per step: each width
    group and each block independently picks its multiplier from the
    backbone's ``width_mults`` / ``expand_mults`` (the per-model lists of
    METHODS §5.1). α = 1 (``aug_weight``). The official code backpropagates
    the two losses one after the other and takes one optimizer step; their
    sum has the same gradient, so here it is one loss dict (keys
    ``loss`` and ``aug.loss``) and works with any mmengine optimizer
    wrapper and DDP.

    * ``width_aug`` / ``expand_aug`` switch the two kinds of augmentation;
      ``kdbench.NetAugScheduleHook`` turns width augmentation off for the
      second half of training, as the official code.
    * The sampled configuration depends on ``aug_seed`` and the iteration
      only, so every rank of a distributed run trains the same one.
      ``aug_seed=None`` (default) takes the run's seed (``torch.
      initial_seed()``, which mmengine's ``randomness.seed`` sets before it
      builds the model, the same on every rank), so two seeds of a method
      train different sequences of augmented networks, as the official
      code seeds its sampler with ``--manual_seed``.
    * Evaluation and export use the base network; BN statistics are
      re-estimated first (``kdbench.BNRecalibrationHook``).
    * Every width group widens, the final 1x1 conv included (as the
      official code; its classifier becomes a ``DynamicLinear`` that reads
      the first features it is given).
    * ``deploy_state_dict()`` is the plain tiny classifier's state dict:
      the backbone exported to its base slices, the classifier cut to the
      base features.
    """

    #: taps of a wrapping distiller record the last call of a module: the
    #: base network's (see :meth:`loss`)
    tap_repeats = 'last'

    def __init__(self, *args, aug_weight: float = 1.0,
                 width_aug: bool = True, expand_aug: bool = True,
                 aug_seed: Optional[int] = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not isinstance(self.backbone, SliceableMobileNetV2):
            raise TypeError(
                f'NetAugClassifier needs a sliceable backbone '
                f'(kdbench.SliceableMobileNetV2), got '
                f'{type(self.backbone).__name__}.')
        widen_classifier_input(self.head, self.backbone)
        self.aug_weight = float(aug_weight)
        self.width_aug = width_aug
        self.expand_aug = expand_aug
        self.aug_seed = int(torch.initial_seed() % 2**31 if aug_seed is None
                            else aug_seed)
        self.last_aug_config: Dict[str, List[float]] = {}

    def _sample_augmented(self) -> None:
        iteration = MessageHub.get_current_instance().get_info('iter', 0)
        rng = random.Random(self.aug_seed * 1_000_003 + int(iteration))
        self.last_aug_config = self.backbone.sample_active(
            width_mults=None if self.width_aug else (1.0, ),
            expand_mults=None if self.expand_aug else (1.0, ), rng=rng)

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        """``loss`` of the base network and ``aug.loss`` of the sampled
        augmented one. The augmented network runs first and the base one
        last, so module taps of a wrapping distiller (``netaug_kd``: KD on
        ``head.fc``) record the tiny network's outputs; the summed gradient
        does not depend on the order."""
        augmented = {}
        if self.width_aug or self.expand_aug:
            self._sample_augmented()
            try:
                augmented = super().loss(inputs, data_samples)
            finally:
                self.backbone.set_base()
        self.backbone.set_base()
        losses = super().loss(inputs, data_samples)
        for key, value in augmented.items():
            losses[f'aug.{key}'] = self.aug_weight * value \
                if 'loss' in key else value
        return losses

    def deploy_state_dict(self) -> Dict[str, torch.Tensor]:
        """The plain tiny classifier: exported backbone, same neck, the
        head's classifier on the base features."""
        state = {k: v for k, v in self.state_dict().items()
                 if not k.startswith('backbone.')}
        state.update({f'backbone.{k}': v for k, v in
                      self.backbone.export_state_dict().items()})
        base_classifier_state(state, self.backbone)
        return state
