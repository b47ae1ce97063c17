"""BYOT shallow classifiers: the view module of ``kdbench.SelfDistiller``
for Be Your Own Teacher (method id ``byot``)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from kdbench.connectors import infer_out_channels
from kdbench.distillers.self_distiller import SelfDistillView
from kdbench.distillers.single_teacher import DistillerConfigError
from kdbench.recorders import find_module, parse_tap
from kdbench.registry import MODELS


class SepConv(nn.Sequential):
    """DARTS separable conv as in the BYOT authors' code: (dw 3x3 stride s,
    pw 1x1, BN, ReLU) then (dw 3x3, pw 1x1 to ``out_channels``, BN, ReLU)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
        c = in_channels
        super().__init__(
            nn.Conv2d(c, c, 3, stride, 1, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c),
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False),
            nn.Conv2d(c, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=False))


class ShallowClassifier(nn.Module):
    """Bottleneck (stride-2 SepConvs) + global average pooling + FC.

    ``forward`` returns ``(feature, logits)``; the pooled feature is the
    BYOT hint F_i compared with the deepest pooled feature F_C.
    """

    def __init__(self, channels: Sequence[int], num_classes: int):
        super().__init__()
        self.bottleneck = nn.Sequential(*[
            SepConv(cin, cout) for cin, cout in zip(channels, channels[1:])])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels[-1], num_classes)

    def forward(self, x: torch.Tensor):
        feature = self.pool(self.bottleneck(x)).flatten(1)
        return feature, self.fc(feature)


@MODELS.register_module()
class BYOTBranches(SelfDistillView):
    r"""Zhang et al., "Be Your Own Teacher: Improve the Performance of
    Convolutional Neural Networks via Self Distillation", ICCV 2019,
    arXiv:1905.08094, §3 (METHODS §2.4).

    A shallow classifier i (SepConv bottleneck + pooling + FC, as in the
    authors' ``resnet.py``) is attached after each tapped stage; the
    network's own head is the deepest classifier C. Per shallow i:

    .. math::
        L_i = (1-\alpha)\,\mathrm{CE}(q_i, y)
              + \alpha\,T^2\,\mathrm{KL}(q_C^T \,\|\, q_i^T)
              + \lambda_i\,\tfrac12\|F_i - F_C\|_2^2

    with q_C and F_C (the pooled deepest feature, tap ``deep_feature``)
    detached; the deepest classifier gets its CE only (``student.loss``).
    The CE is the student head's own loss module; the KL is
    :class:`kdbench.KDLoss` (``kd``; weight α, T² included), the hint is
    :class:`kdbench.HintLoss` (``hint``, batchmean: ½·Σ/N, weight
    λ_i = ``hint_weights[i]``; a 0 weight drops the term).

    **Defaults (a choice, METHODS §2.4 lists two sources).** α = 0.3,
    T = 3, CE weight 0.7, T² on the KL and the feature hint with weights
    0.03 / 0.03 / 0 on stages 1-3: the mmrazor port (which follows the
    paper's three terms and the T² convention of METHODS §0), except that
    the hint is the paper's squared L2 (HintLoss) rather than mmrazor's
    square root. The authors' journal-version code is
    ``kd=dict(loss_weight=0.3 / 9)`` (α without T², T = 3; the soft CE
    differs from the KL by a constant) and ``hint_weights=(0, 0, 0)``.
    The authors' attention modules (journal version) are not built.

    Args:
        stages: taps of the stage outputs that get a shallow classifier.
        deep_feature: tap of the deepest pooled feature F_C (the neck).
        logits: tap of the deepest classifier's logits.
        ce_weight: 1 − α, factor on each shallow classifier's CE.
        kd: :class:`kdbench.KDLoss` config (``loss_weight`` = α).
        hint: :class:`kdbench.HintLoss` config; its ``loss_weight`` is
            replaced by each stage's ``hint_weights`` entry.
        hint_weights: λ_i per stage (0 = no hint for that stage).
        branch_channels: per stage, the channel chain of its SepConvs
            (stage channels first, deepest feature channels last); by
            default doubled per SepConv from the stage's channels to the
            deepest feature's (one stride-2 SepConv per stage skipped, as
            for ResNets).
    """

    def __init__(self,
                 stages: Sequence[str] = ('backbone.layer1',
                                          'backbone.layer2',
                                          'backbone.layer3'),
                 deep_feature: str = 'neck',
                 logits: str = 'head.fc',
                 ce_weight: float = 0.7,
                 kd: Optional[dict] = None,
                 hint: Optional[dict] = None,
                 hint_weights: Optional[Sequence[float]] = (0.03, 0.03,
                                                            0.0),
                 branch_channels: Optional[Sequence[Sequence[int]]] = None):
        super().__init__()
        self.stages = tuple(stages)
        if not self.stages:
            raise DistillerConfigError('BYOTBranches needs at least one '
                                       'stage tap in stages=(...).')
        hint_weights = tuple(hint_weights or (0.0, ) * len(self.stages))
        for name, value in (('hint_weights', hint_weights),
                            ('branch_channels', branch_channels)):
            if value is not None and len(value) != len(self.stages):
                raise DistillerConfigError(
                    f'BYOTBranches: {name} has {len(value)} entries but '
                    f'stages has {len(self.stages)}; give one per stage.')
        self.deep_feature = deep_feature
        self.logits = logits
        self.taps = self.stages + (deep_feature, logits)
        self.ce_weight = float(ce_weight)
        self.kd = MODELS.build({'type': 'kdbench.KDLoss', 'tau': 3.0,
                                'loss_weight': 0.3, **(kd or {})})
        hint = {'type': 'kdbench.HintLoss', 'reduction': 'batchmean',
                **(hint or {})}
        self.hints = nn.ModuleDict({
            _key(stage): MODELS.build({**hint, 'loss_weight': weight})
            for stage, weight in zip(self.stages, hint_weights) if weight})
        self.branch_channels = branch_channels
        self.branches = nn.ModuleDict()

    # ------------------------------------------------------------ build
    def attach(self, student: nn.Module) -> None:
        fc = find_module(student, parse_tap(self.logits)[0], 'student')
        if not isinstance(fc, nn.Linear):
            raise DistillerConfigError(
                f'BYOTBranches: logits tap {self.logits!r} must be the '
                f'deepest classifier\'s nn.Linear (e.g. "head.fc"), got '
                f'{type(fc).__name__}.')
        if not hasattr(getattr(student, 'head', None), '_get_loss'):
            raise DistillerConfigError(
                'BYOTBranches needs an mmpretrain classifier whose head has '
                'a loss module (e.g. LinearClsHead): the shallow '
                'classifiers reuse it for their CE.')
        find_module(student, parse_tap(self.deep_feature)[0], 'student')
        deep = fc.in_features
        for i, stage in enumerate(self.stages):
            module = find_module(student, parse_tap(stage)[0], 'student')
            if self.branch_channels is not None:
                chain = [int(c) for c in self.branch_channels[i]]
            else:
                chain = _doubling_chain(infer_out_channels(module), deep,
                                        stage)
            if chain[-1] != deep:
                raise DistillerConfigError(
                    f'BYOTBranches: branch_channels for {stage!r} ends at '
                    f'{chain[-1]} channels but the deepest feature has '
                    f'{deep}; the hint compares the two.')
            self.branches[_key(stage)] = ShallowClassifier(chain,
                                                           fc.out_features)

    # ------------------------------------------------------------ losses
    def view_losses(self, student, inputs, data_samples, full,
                    recorder) -> Dict[str, torch.Tensor]:
        deep_logits = full[self.logits]
        deep_feature = full[self.deep_feature]
        losses = {}
        for stage in self.stages:
            key = _key(stage)
            feature, logits = self.branches[key](full[stage])
            ce = student.head._get_loss(logits, data_samples)['loss']
            losses[f'loss_ce_{key}'] = self.ce_weight * ce
            losses[f'loss_kd_{key}'] = self.kd(logits, deep_logits)
            if key in self.hints:
                losses[f'loss_hint_{key}'] = self.hints[key](
                    feature, deep_feature.flatten(1))
        return losses

    # ------------------------------------------------------------ eval
    def classifier_logits(self, full: Dict[str, torch.Tensor]
                          ) -> Dict[str, torch.Tensor]:
        """Logits of every classifier, shallow first, from a full pass's
        taps (``SelfDistiller.full_outputs``); key ``deepest`` is the
        network's own head."""
        out = {_key(s): self.branches[_key(s)](full[s])[1]
               for s in self.stages}
        out['deepest'] = full[self.logits]
        return out

    @staticmethod
    def ensemble(logits: Dict[str, torch.Tensor]) -> torch.Tensor:
        """BYOT's ensemble: the mean of the classifiers' softmax outputs
        (the leaderboard reports the deepest classifier, not this)."""
        return torch.stack([F.softmax(v.float(), dim=1)
                            for v in logits.values()]).mean(0)


def _key(tap: str) -> str:
    return parse_tap(tap)[0].split('.')[-1]


def _doubling_chain(channels: Optional[int], deep: int,
                    stage: str) -> List[int]:
    if channels is None:
        raise DistillerConfigError(
            f'BYOTBranches: cannot infer the channels of {stage!r}; set '
            f'branch_channels=[[stage channels, ..., {deep}], ...].')
    chain = [channels]
    while chain[-1] < deep:
        chain.append(chain[-1] * 2)
    if chain[-1] != deep or len(chain) < 2:
        raise DistillerConfigError(
            f'BYOTBranches: {stage!r} has {channels} channels, which do not '
            f'double to the deepest feature\'s {deep}; set branch_channels '
            f'per stage (channel chains ending at {deep}).')
    return chain
