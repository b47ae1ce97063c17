"""ONE's branched network, built from a plain mmpretrain classifier."""
import copy
from typing import Dict

import torch
import torch.nn.functional as F
from torch import nn

from kdbench.distillers.online import OnlineScheme, head_losses
from kdbench.distillers.single_teacher import DistillerConfigError
from kdbench.recorders import TapError, find_module
from kdbench.registry import MODELS


@MODELS.register_module()
class NativeEnsembleScheme(OnlineScheme):
    r"""On-the-fly Native Ensemble (ONE), Lan, Zhu & Gong, NeurIPS 2018
    (METHODS.md §2.3):

    .. math::
        L = \sum_i \mathrm{CE}(y, p_i) + \mathrm{CE}(y, p_e)
          + w(e)\,T^2 \sum_i \mathrm{KL}(\tilde p_e \,\|\, \tilde p_i),
        \quad z_e = \sum_i g_i z_i

    **Architecture.** The single member (the plain student, e.g. an
    mmpretrain ImageClassifier) is branch 0; branches 1..m-1 are deep copies
    of its ``branch_stage`` (default its last backbone stage) and of its head
    (and neck, if the neck has parameters), re-initialised with the
    backbone's / head's own ``init_cfg`` so that branches start different,
    as in the official code. Everything before ``branch_stage`` is shared.
    The gate is FC → BN → ReLU → softmax on the globally pooled shared
    feature (the code's ``control_v1``, ``bn_v1``). Branch 0 is the kept,
    exported network, so ``weights.pth`` loads strictly into the plain
    student config (the code reports branch 1, the same thing).

    **Loss details.** The ensemble CE back-propagates into all branches and
    the gate (as in the code); the KL target ``softmax(z_e / T)`` is
    detached. ``KDLoss`` (log-softmax target, batchmean, T²) is used, i.e.
    the code's ``+1e-7`` on the target probabilities is omitted (it changes
    the KL by at most ~C·1e-7). ``w(e)`` is the sigmoid ramp-up
    ``exp(-5 (1 - e / rampup_epochs)^2)`` of the code (80 of 300 epochs),
    evaluated at the fractional epoch (iteration-based) rather than the
    integer epoch; ``rampup_epochs=0`` disables it.

    Parts (top-level submodules of the distiller): ``branches`` (the
    copies) and ``gate``.

    Keys: ``branch<i>.loss_cls``, ``ensemble.loss_cls``,
    ``distill.loss_kl_branch<i>`` and the logged ramp weight
    ``distill.rampup``.

    Args:
        num_branches: m (paper: 3).
        branch_stage: module path of the first non-shared stage of the
            member; its output must be the backbone's (last) output.
        tau: KL temperature T (paper: 3).
        loss_weight: extra factor on the KL terms.
        rampup_epochs: length of the sigmoid ramp-up in epochs.
    """

    min_members = 1
    max_members = 1

    def __init__(self, num_branches: int = 3,
                 branch_stage: str = 'backbone.layer4', tau: float = 3.0,
                 loss_weight: float = 1.0, rampup_epochs: float = 80.0):
        super().__init__()
        if num_branches < 2:
            raise DistillerConfigError(
                f'ONE needs num_branches >= 2, got {num_branches}.')
        self.num_branches = int(num_branches)
        self.branch_stage = branch_stage
        self.rampup_epochs = float(rampup_epochs)
        self.kl = MODELS.build(dict(type='kdbench.KDLoss', tau=tau,
                                    loss_weight=loss_weight))
        self._checked = False

    @property
    def branches(self) -> nn.ModuleList:
        return self.parts['branches']

    @property
    def gate(self) -> nn.Module:
        return self.parts['gate']

    # ------------------------------------------------------------ building
    def setup(self, members) -> None:
        base = members[0]
        for attr in ('backbone', 'head', 'extract_feat'):
            if not hasattr(base, attr):
                raise DistillerConfigError(
                    f'NativeEnsembleScheme needs an mmpretrain-style '
                    f'classifier (backbone, neck, head), got '
                    f'{type(base).__name__} without {attr!r}.')
        try:
            stage = find_module(base, self.branch_stage, 'student')
        except TapError as err:
            raise DistillerConfigError(f'branch_stage: {err}') from None
        convs = [m for m in stage.modules() if isinstance(m, nn.Conv2d)]
        if not convs:
            raise DistillerConfigError(
                f'branch_stage {self.branch_stage!r} has no Conv2d; name a '
                f'backbone stage such as "backbone.layer4".')
        shared_channels = convs[0].in_channels
        neck = getattr(base, 'neck', None)
        own_neck = neck is not None and any(True for _ in neck.parameters())
        branches = self.add_part('branches', nn.ModuleList())
        for _ in range(self.num_branches - 1):
            fresh = copy.deepcopy(base)
            # the student's own init, from a stream of its own: the
            # deployed member is initialised later from the state right
            # after its build (paired_init), which these draws would
            # otherwise repeat
            seed = int(torch.randint(0, 2 ** 62, ()))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                fresh.init_weights()
            branch = nn.ModuleDict(dict(
                stage=find_module(fresh, self.branch_stage, 'student'),
                head=fresh.head))
            if own_neck:
                branch['neck'] = fresh.neck
            branches.append(branch)
        self.add_part('gate', nn.Sequential(
            nn.Linear(shared_channels, self.num_branches),
            nn.BatchNorm1d(self.num_branches), nn.ReLU(inplace=True)))
        self._stage = [stage]  # not a submodule: it belongs to the member

    # ------------------------------------------------------------- forward
    def forward_branches(self, base: nn.Module, inputs: torch.Tensor):
        """Logits of every branch ``[z_0, .., z_{m-1}]`` and the gate
        weights ``g`` (N, m)."""
        stage = self._stage[0]
        record = {}

        def hook(module, args, output):
            record['shared'], record['out'] = args[0], output

        handle = stage.register_forward_hook(hook)
        try:
            backbone_out = base.backbone(inputs)
        finally:
            handle.remove()
        if not self._checked:
            last = backbone_out[-1] if isinstance(
                backbone_out, (tuple, list)) else backbone_out
            if 'out' not in record or last is not record['out']:
                raise DistillerConfigError(
                    f'branch_stage {self.branch_stage!r} must produce the '
                    f'backbone output that the head classifies (the last '
                    f'stage, out_indices=(last,)).')
            self._checked = True
        shared = record['shared']
        feats = base.neck(backbone_out) if base.with_neck else backbone_out
        logits = [base.head(feats)]
        for branch in self.branches:
            feats = (branch['stage'](shared), )
            if 'neck' in branch:
                feats = branch['neck'](feats)
            elif base.with_neck:
                feats = base.neck(feats)
            logits.append(branch['head'](feats))
        pooled = F.adaptive_avg_pool2d(shared, 1).flatten(1)
        gate = F.softmax(self.gate(pooled), dim=1)
        return logits, gate

    def loss(self, members, inputs, data_samples) -> Dict[str, torch.Tensor]:
        base = members[0]
        logits, gate = self.forward_branches(base, inputs)
        ensemble = sum(gate[:, i:i + 1] * z for i, z in enumerate(logits))
        heads = [base.head] + [b['head'] for b in self.branches]
        losses = {}
        for i, (head, z) in enumerate(zip(heads, logits)):
            losses.update(head_losses(head, z, data_samples, f'branch{i}'))
        losses.update(head_losses(base.head, ensemble, data_samples,
                                  'ensemble'))
        weight = self.ramp_weight(self.rampup_epochs)
        for i, z in enumerate(logits):
            losses[f'distill.loss_kl_branch{i}'] = weight * self.kl(
                z, ensemble.detach())
        losses['distill.rampup'] = torch.tensor(weight, device=ensemble.device)
        return losses
