"""FFSD: Feature Fusion and Self-Distillation (online distillation)."""
from typing import Dict, Sequence

import torch
from torch import nn

from kdbench.connectors import infer_out_channels
from kdbench.distillers.online import (OnlineScheme, classifier_logits,
                                       head_losses)
from kdbench.distillers.single_teacher import DistillerConfigError
from kdbench.recorders import ModuleOutputRecorder, TapError, find_module
from kdbench.registry import MODELS
from .ffsd_modules import (FeatureFusion, SelfDistillationModule, TransFusion,
                           diversity_target_feature)


@MODELS.register_module()
class FFSDScheme(OnlineScheme):
    r"""Li, Lin, Wang, Wu, Tian, Shao & Ji, "Distilling a Powerful Student
    Model via Online Knowledge Distillation", arXiv:2103.14473 (METHODS.md
    §2.6), as in the official code (SJLeo/FFSD ``CIFARTrainer.py``).

    Members: member 0 is the **leader** S_0 (kept, exported), members
    1..n the common students S_1..S_n (paper: n = 2), all of the same
    architecture. F^1..F^M are the outputs of ``taps`` (default the four
    ResNet stages; the code taps its three CIFAR-ResNet stages), F^M the
    map the classifier pools. A(·) is the L2-normalised channel-mean
    squared map, "AT" below is ``kdbench.ATLoss`` (mean squared difference
    of A's), w(e) the sigmoid ramp-up over ``rampup_epochs`` applied to the
    three λ's (code: λ·exp(−5(1 − e/5)²) over the first 5 epochs).

    * Common student S_i, Eqs. (2), (11), (12):
      ``CE + T²·Σ_{j≠i} KL(p̂_j‖p̂_i)/(n−1)`` (``KDLoss``, peers detached),
      and for i ≥ 2 ``w·λ_div·[AttentionDiversity(F_i^M, F_{i−1}^M)
      + Σ_{m<M} AT(F_i^m, SD_i(F̄_{i−1}^M)_m)]``, F̄ the diversity target
      turned into a feature map.
    * Fusion module, Eq. (4), on the **detached** concatenation F_e of the
      students' F^M: ``CE(z_f) + T²·KL(p̂_e‖p̂_f)``, z_e = mean student
      logit (detached).
    * Leader, Eqs. (5), (13), (14): ``CE + T²·KL(p̂_f‖p̂_0)`` (target: the
      fusion classifier, detached) ``+ w·λ_fusion·[AT(F_0^M, F_f)
      + AT(σ(F_0^M), F_e) + Σ_{m<M} AT(F_0^m, SD_0(F_f)_m)]``; σ is the
      TransFusion head.
    * Self-distillation modules SD_0 and SD_i (i ≥ 2), Eq. (10): trained to
      map F^M (detached) to F^{M−1}..F^1 with
      ``w·λ_sd·Σ_m [AT(SD_m, F^m) + α·NormalizedL2(SD_m, F^m)]``. When they
      produce targets (above) they run in eval mode and their outputs are
      detached, as in the code.

    **Choices.** All networks update simultaneously from one summed loss;
    since every cross-network target is detached this equals the code's
    per-network backward passes (all its forwards precede its updates).
    The code's separate optimizers (SD modules: Adam lr 1e-3; fusion
    module: weight decay 1e-5) are reproduced with one optim wrapper per
    part (``kdbench.MultiOptimWrapperConstructor`` keys ``members``,
    ``fusion``, ``trans_fusion``, ``self_distillation``). The code's λ's
    map as: λ_div on the diversity and student SD terms, λ_fusion = 10 on
    all three leader feature terms, λ_sd = 1000 on the SD-module training
    loss (the paper's λ_fea / λ_self naming differs, METHODS.md §2.6).
    The ramp uses the fractional epoch.

    Keys: ``member<k>.loss_cls``, ``fusion.loss_cls``,
    ``distill.loss_kl_member<k>``, ``distill.loss_kl_fusion``,
    ``distill.loss_div_member<i>``, ``distill.loss_sd_member<k>``,
    ``distill.loss_fea_member0``, ``distill.loss_trans_member0``,
    ``distill.loss_sdm_member<k>``; ``distill.rampup`` is logged.
    """

    min_members = 2
    leader = 0

    def __init__(self, taps: Sequence[str] = (
            'backbone.layer1', 'backbone.layer2', 'backbone.layer3',
            'backbone.layer4'),
                 tau: float = 2.0, lambda_div: float = 1e-5,
                 lambda_fusion: float = 10.0, lambda_sd: float = 1000.0,
                 alpha: float = 1.0, rampup_epochs: float = 5.0):
        super().__init__()
        if len(taps) < 2:
            raise DistillerConfigError(
                'FFSDScheme needs at least 2 taps (shallow to deep stage '
                'outputs, the last one the map the head pools).')
        self.taps = list(taps)
        self.lambda_div = float(lambda_div)
        self.lambda_fusion = float(lambda_fusion)
        self.lambda_sd = float(lambda_sd)
        self.alpha = float(alpha)
        self.rampup_epochs = float(rampup_epochs)
        self.kl = MODELS.build(dict(type='kdbench.KDLoss', tau=tau))
        self.at = MODELS.build(dict(type='kdbench.ATLoss', loss_weight=1.0))
        self.diversity = MODELS.build(
            dict(type='kdbench.AttentionDiversityLoss'))
        self.feature = MODELS.build(dict(type='kdbench.NormalizedL2Loss'))

    # ------------------------------------------------------------ building
    def setup(self, members) -> None:
        channels = None
        for k, member in enumerate(members):
            chans = []
            for tap in self.taps:
                try:
                    module = find_module(member, tap, f'member {k}')
                except TapError as err:
                    raise DistillerConfigError(f'FFSDScheme taps: {err}') \
                        from None
                chans.append(infer_out_channels(module))
            if None in chans:
                raise DistillerConfigError(
                    f'FFSDScheme: cannot infer the output channels of taps '
                    f'{self.taps} of member {k}; tap stage modules that end '
                    f'in a conv / norm layer.')
            if channels is not None and chans != channels:
                raise DistillerConfigError(
                    f'FFSD members must share an architecture: member {k} '
                    f'has tap channels {chans}, member 0 {channels}.')
            channels = chans
        n = len(members) - 1
        head = members[0].head
        num_classes = getattr(head, 'num_classes', None) or \
            head.fc.out_features
        self.add_part('fusion', FeatureFusion(channels[-1], n, num_classes))
        self.add_part('trans_fusion', TransFusion(channels[-1], n))
        self.add_part('self_distillation', nn.ModuleDict(
            {f'member{k}': SelfDistillationModule(channels)
             for k in [0] + list(range(2, n + 1))}))
        object.__setattr__(self, 'recorders', [
            ModuleOutputRecorder(m, self.taps, f'member {k}')
            for k, m in enumerate(members)])

    # ------------------------------------------------------------- helpers
    def _sd_targets(self, key: str, source: torch.Tensor,
                    sizes) -> list:
        """Shallow-layer targets from an SD module: eval mode, no gradient
        (the code's ``self_distillation_loss``)."""
        sd = self.parts['self_distillation'][key]
        was_training = sd.training
        sd.eval()
        try:
            with torch.no_grad():
                return sd(source.detach(), sizes)
        finally:
            sd.train(was_training)

    def _sd_application(self, key, feats, source) -> torch.Tensor:
        sizes = [f.shape[2:] for f in feats[:-1]]
        targets = self._sd_targets(key, source, sizes)
        return sum(self.at(f, t) for f, t in zip(feats[:-1], targets))

    def _sd_training(self, key, feats) -> torch.Tensor:
        sd = self.parts['self_distillation'][key]
        sizes = [f.shape[2:] for f in feats[:-1]]
        outs = sd(feats[-1].detach(), sizes)
        return sum(self.at(o, f) + self.alpha * self.feature(o, f)
                   for o, f in zip(outs, feats[:-1]))

    # ---------------------------------------------------------------- loss
    def loss(self, members, inputs, data_samples) -> Dict[str, torch.Tensor]:
        logits, feats = [], []
        for member, recorder in zip(members, self.recorders):
            with recorder.recording():
                logits.append(classifier_logits(member, inputs)[1])
                feats.append([recorder.get(tap) for tap in self.taps])
        n = len(members) - 1
        w = self.ramp_weight(self.rampup_epochs)
        losses = {}
        # common students: Eq. (2), diversity chain Eqs. (11), (12)
        for i in range(1, n + 1):
            losses.update(head_losses(members[i].head, logits[i],
                                      data_samples, f'member{i}'))
            if n > 1:
                losses[f'distill.loss_kl_member{i}'] = sum(
                    self.kl(logits[i], logits[j])
                    for j in range(1, n + 1) if j != i) / (n - 1)
            if i >= 2:
                prev = feats[i - 1][-1].detach()
                losses[f'distill.loss_div_member{i}'] = \
                    w * self.lambda_div * self.diversity(feats[i][-1], prev)
                losses[f'distill.loss_sd_member{i}'] = \
                    w * self.lambda_div * self._sd_application(
                        f'member{i}', feats[i], diversity_target_feature(prev))
        # fusion module: Eq. (4), on detached student features
        f_e = torch.cat([feats[i][-1].detach() for i in range(1, n + 1)], 1)
        f_f, z_f = self.parts['fusion'](f_e)
        z_e = sum(logits[1:]) / n
        losses.update(head_losses(members[0].head, z_f, data_samples,
                                  'fusion'))
        losses['distill.loss_kl_fusion'] = self.kl(z_f, z_e)
        # leader: Eqs. (5), (13), (14)
        leader_feats = feats[0]
        losses.update(head_losses(members[0].head, logits[0], data_samples,
                                  'member0'))
        losses['distill.loss_kl_member0'] = self.kl(logits[0], z_f)
        weight = w * self.lambda_fusion
        losses['distill.loss_fea_member0'] = weight * self.at(
            leader_feats[-1], f_f)
        losses['distill.loss_trans_member0'] = weight * self.at(
            self.parts['trans_fusion'](leader_feats[-1]), f_e)
        losses['distill.loss_sd_member0'] = weight * self._sd_application(
            'member0', leader_feats, f_f)
        # self-distillation modules: Eq. (10)
        for key in self.parts['self_distillation']:
            k = int(key[len('member'):])
            losses[f'distill.loss_sdm_{key}'] = \
                w * self.lambda_sd * self._sd_training(key, feats[k])
        losses['distill.rampup'] = torch.tensor(w, device=z_f.device)
        return losses
