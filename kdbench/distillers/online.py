"""OnlineDistiller: online (mutual / ensemble / fused) distillation.

Several member networks are trained together from scratch in one
``train_step``; there is no pretrained teacher. The wrapper owns the
members (``members``, an mmengine ``ModuleList`` of task models, all in the
optimizer) and one *scheme* (``scheme``, a registered module that holds the
method's extra trainable parts and computes its losses):

* ``kdbench.DMLScheme`` (here): Deep Mutual Learning, METHODS.md §2.2;
* ``kdbench.NativeEnsembleScheme`` (``kdbench/cls/native_ensemble.py``):
  ONE, METHODS.md §2.3;
* ``kdbench.FFSDScheme`` (``kdbench/cls/ffsd_scheme.py``): FFSD, METHODS.md
  §2.6.

A scheme's extra modules (ONE's branches and gate, FFSD's fusion module,
...) become top-level parts of the distiller, so the usual single
``optim_wrapper`` trains everything, or
``kdbench.MultiOptimWrapperConstructor`` gives parts their own optimizers
(FFSD).

What the family shares lives here: building the members from the student
config (a model dict or config reference, see ``model_refs``), the kept
member (``student``: validation, ``predict`` / ``tensor`` modes and
``StudentExportHook`` use it alone, so ``weights.pth`` loads into the plain
student config), the members' task losses and the ramp-up of mutual terms.
Loss keys: ``member<k>.loss_cls`` (or the scheme's ``branch<k>.``), the
mutual terms ``distill.loss_*``.
"""
import copy
import importlib
import math
from contextlib import ExitStack
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import MessageHub
from mmengine.model import (BaseModel, MMDistributedDataParallel,
                            ModuleList)
from mmengine.optim import OptimWrapper, OptimWrapperDict
from torch import nn

from kdbench.registry import MODEL_WRAPPERS, MODELS
from .paired_init import init_like_plain, rng_after_build
from .model_refs import (build_model, normalisation_mismatch,
                         wrapper_preprocessor)
from .single_teacher import DistillerConfigError


def sigmoid_rampup(progress: float, length: float) -> float:
    """``exp(-5 (1 - t)^2)`` with ``t = clip(progress / length, 0, 1)``
    (Laine & Aila, arXiv:1610.02242), the ramp ONE and FFSD put on their
    mutual terms; ``length <= 0`` means no ramp (weight 1)."""
    if length <= 0:
        return 1.0
    t = min(max(float(progress) / float(length), 0.0), 1.0)
    return math.exp(-5.0 * (1.0 - t) ** 2)


def training_epochs() -> Optional[float]:
    """Fractional epochs trained so far (``iter / iters_per_epoch``) from
    mmengine's runtime info, or ``None`` outside a Runner's training loop
    (an iteration-based loop counts its whole run as one epoch)."""
    hub = MessageHub.get_current_instance()
    it, max_iters = hub.get_info('iter'), hub.get_info('max_iters')
    max_epochs = hub.get_info('max_epochs')
    if it is None:
        return None
    if max_iters and max_epochs:
        return it * max_epochs / max_iters
    return float(hub.get_info('epoch') or 0)


def classifier_logits(model: nn.Module, inputs: torch.Tensor):
    """``(neck features, logits)`` of an mmpretrain-style classifier."""
    feats = model.extract_feat(inputs)
    return feats, model.head(feats)


def head_losses(head: nn.Module, logits: torch.Tensor, data_samples,
                prefix: str) -> Dict[str, torch.Tensor]:
    """The head's own task loss on ``logits`` (its configured loss module:
    CE, label smoothing, ...), keyed ``<prefix>.loss_cls``; accuracies the
    head computes (``cal_acc``) are kept under ``<prefix>.``."""
    out = {}
    for key, value in head._get_loss(logits, data_samples).items():
        if key == 'loss':
            out[f'{prefix}.loss_cls'] = value
        else:
            out[f'{prefix}.{key}'] = value
    return out


class OnlineScheme(nn.Module):
    """Base of an online-distillation scheme (method core).

    Subclasses set ``min_members`` / ``max_members`` (and ``leader`` when
    one member index must be the kept one), create their extra trainable
    modules in :meth:`setup` with :meth:`add_part` and return all training
    losses from :meth:`loss`. Parts become top-level submodules of the
    distiller (``model.<name>``, state-dict prefix ``<name>.``), so an
    ``optim_wrapper`` built by ``kdbench.MultiOptimWrapperConstructor`` can
    give each part its own optimizer.
    """

    min_members = 1
    max_members: Optional[int] = None
    leader: Optional[int] = None

    def __init__(self):
        super().__init__()
        object.__setattr__(self, 'parts', {})

    def add_part(self, name: str, module: nn.Module) -> nn.Module:
        self.parts[name] = module
        return module

    def setup(self, members: nn.ModuleList) -> None:
        """Called once by the distiller with the built (untrained)
        members."""

    def loss(self, members: nn.ModuleList, inputs: torch.Tensor,
             data_samples) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def ramp_weight(self, rampup_epochs: float) -> float:
        """Sigmoid ramp-up weight at the current training progress (1 when
        no Runner is training, e.g. in unit tests, or without a ramp)."""
        epochs = training_epochs()
        if epochs is None or rampup_epochs <= 0:
            return 1.0
        return sigmoid_rampup(epochs, rampup_epochs)


@MODELS.register_module()
class OnlineDistiller(BaseModel):
    """Online distillation of members trained together from scratch.

    Args:
        student: model dict or config reference of a member network (the
            plain student config: the kept member's weights load into it).
        num_members: how many members of the ``student`` architecture.
        members: alternatively, a list of model dicts / references, one per
            member (heterogeneous peers); excludes ``student`` /
            ``num_members``.
        kept: index of the member that is validated and exported.
        scheme: config of the registered :class:`OnlineScheme` (the method).
        data_preprocessor: a module, or a dict that becomes the default
            preprocessor of member configs lacking one (mmengine's Runner
            passes the config's top-level ``data_preprocessor``).
    """

    def __init__(self,
                 scheme: dict,
                 student: Optional[Union[str, dict]] = None,
                 num_members: Optional[int] = None,
                 members: Optional[Sequence[Union[str, dict]]] = None,
                 kept: int = 0,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        refs = self._member_refs(student, num_members, members)
        # the deployed member first, as a plain run builds its student
        first = kept % len(refs)
        built, student_rng = [None] * len(refs), None
        for k in [first] + [k for k in range(len(refs)) if k != first]:
            built[k] = build_model(refs[k], f'member {k}',
                                   default_preprocessor=data_preprocessor)
            if k == first:
                student_rng = rng_after_build()
        super().__init__(data_preprocessor=wrapper_preprocessor(
            data_preprocessor, built[0]), init_cfg=init_cfg)
        # mmengine's ModuleList: the Runner's init_weights() reaches every
        # member (each gets its own config's init, independently drawn)
        self.members = ModuleList(built)
        self._student_rng = student_rng
        self._check_preprocessors()
        if not -len(built) <= kept < len(built):
            raise DistillerConfigError(
                f'kept={kept} but there are {len(built)} members; set kept '
                f'to an index in 0..{len(built) - 1}.')
        self.kept = kept % len(built)
        # schemes of task glue (kdbench.cls) register when that is imported
        importlib.import_module('kdbench.cls')
        if not isinstance(scheme, dict) or 'type' not in scheme:
            raise DistillerConfigError(
                'scheme must be a dict with a type, e.g. '
                "scheme=dict(type='kdbench.DMLScheme').")
        self.scheme = MODELS.build(copy.deepcopy(dict(scheme)))
        if not isinstance(self.scheme, OnlineScheme):
            raise DistillerConfigError(
                f'scheme {scheme["type"]!r} is not an OnlineScheme; use '
                f'kdbench.DMLScheme or kdbench.NativeEnsembleScheme.')
        lo, hi = self.scheme.min_members, self.scheme.max_members
        if len(built) < lo or (hi is not None and len(built) > hi):
            want = f'{lo}' if hi == lo else (
                f'at least {lo}' if hi is None else f'{lo}..{hi}')
            raise DistillerConfigError(
                f'{type(self.scheme).__name__} needs {want} members, got '
                f'{len(built)}; set num_members (or the members list).')
        leader = self.scheme.leader
        if leader is not None and self.kept != leader % len(built):
            raise DistillerConfigError(
                f'{type(self.scheme).__name__} trains member {leader} as the '
                f'network to deploy; set kept={leader} (got {kept}).')
        self.scheme.setup(self.members)
        for name, part in self.scheme.parts.items():
            if name in self._modules or hasattr(type(self), name):
                raise DistillerConfigError(
                    f'scheme part {name!r} clashes with an attribute of '
                    f'OnlineDistiller.')
            self.add_module(name, part)

    def init_weights(self) -> None:
        """The deployed member first, drawn as a plain run of the same seed
        would (kdbench.distillers.paired_init), then everything else."""
        init_like_plain(self.members[self.kept], self._student_rng)
        super().init_weights()

    def _check_preprocessors(self) -> None:
        """Every member runs on the distiller's preprocessed batch: refuse
        members configured with a different normalisation."""
        for k, member in enumerate(self.members):
            mismatch = normalisation_mismatch(
                self.data_preprocessor,
                getattr(member, 'data_preprocessor', None))
            if mismatch:
                raise DistillerConfigError(
                    f'Member {k} was configured with {mismatch}; all members '
                    f'see the same batch. Give every member config the same '
                    f'data_preprocessor.')

    @staticmethod
    def _member_refs(student, num_members, members) -> List:
        if members is not None:
            if student is not None or num_members is not None:
                raise DistillerConfigError(
                    'Give either members=[...] or student=... with '
                    'num_members=..., not both.')
            if not isinstance(members, (list, tuple)) or not members:
                raise DistillerConfigError(
                    'members must be a non-empty list of model dicts or '
                    'config paths.')
            return list(members)
        if student is None:
            raise DistillerConfigError(
                'OnlineDistiller needs student=<model dict or config path> '
                '(with num_members=K) or members=[...].')
        num_members = 1 if num_members is None else int(num_members)
        if num_members < 1:
            raise DistillerConfigError(
                f'num_members must be >= 1, got {num_members}.')
        return [student] * num_members

    @property
    def student(self) -> nn.Module:
        """The kept member: validated, tested and exported."""
        return self.members[self.kept]

    def train_step(self, data, optim_wrapper):
        """One step of every member and part. With an ``OptimWrapperDict``
        (one optimizer per part, ``kdbench.MultiOptimWrapperConstructor``)
        the summed loss is back-propagated once and every wrapper steps:
        all cross-network targets are detached, so each optimizer sees
        exactly the gradient of its own networks' losses. Under a launcher
        that needs ``model_wrapper_cfg=dict(
        type='kdbench.OnlineDistributedDataParallel')``."""
        if not isinstance(optim_wrapper, OptimWrapperDict):
            return super().train_step(data, optim_wrapper)
        return parts_train_step(self, self, data, optim_wrapper)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.scheme.loss(self.members, inputs, data_samples)
        return self.student(inputs, data_samples, mode=mode)


@MODELS.register_module()
class DMLScheme(OnlineScheme):
    r"""Deep Mutual Learning, Zhang, Xiang, Hospedales & Lu, CVPR 2018
    (METHODS.md §2.2), Eq. (9)/(10) generalised to K peers:

    .. math::
        L_{\Theta_k} = \mathrm{CE}_k + \frac{1}{K-1}\sum_{l\ne k}
        \mathrm{KL}(p_l \,\|\, p_k)

    at ``T = tau = 1`` (``KDLoss`` with its T² factor, which is 1 at T = 1),
    peer targets ``p_l`` detached.

    **Update order (choice).** Simultaneous: every peer is evaluated once,
    the sum of all ``L_k`` is back-propagated and one optimizer step updates
    all peers. Because each peer's targets are detached, the gradient
    w.r.t. Θ_k is exactly ∇L_k. Algorithm 1 is sequential (update Θ₁, then
    recompute p₁ before updating Θ₂); the simultaneous form differs only in
    that Θ₂'s target is p₁ before Θ₁'s step, and needs one forward per peer.

    Keys: ``member<k>.loss_cls`` and ``distill.loss_kl_member<k>``.
    """

    min_members = 2

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0):
        super().__init__()
        self.kl = MODELS.build(dict(type='kdbench.KDLoss', tau=tau,
                                    loss_weight=loss_weight))

    def loss(self, members, inputs, data_samples):
        logits = [classifier_logits(m, inputs)[1] for m in members]
        losses = {}
        k_total = len(members)
        for k, member in enumerate(members):
            losses.update(head_losses(member.head, logits[k], data_samples,
                                      f'member{k}'))
            kl = sum(self.kl(logits[k], logits[j])
                     for j in range(k_total) if j != k)
            losses[f'distill.loss_kl_member{k}'] = kl / (k_total - 1)
        return losses


def parts_train_step(model: 'OnlineDistiller', runner_model: nn.Module,
                     data, optim_wrapper: OptimWrapperDict) -> dict:
    """Forward ``runner_model`` (the distiller or its DDP wrapper) once,
    back-propagate the summed loss once and step every optimizer."""
    wrappers = list(optim_wrapper.values())
    for wrapper in wrappers:
        if type(wrapper) is not OptimWrapper:
            raise DistillerConfigError(
                f'OnlineDistiller with one optimizer per part supports '
                f'plain OptimWrapper parts, got {type(wrapper).__name__}; '
                f'use a single optim_wrapper for AMP.')
    with ExitStack() as stack:
        for wrapper in wrappers:
            stack.enter_context(wrapper.optim_context(runner_model))
        data = model.data_preprocessor(data, True)
        losses = runner_model._run_forward(data, mode='loss')
    parsed, log_vars = model.parse_losses(losses)
    for wrapper in wrappers:
        wrapper.zero_grad()
    parsed.backward()
    for wrapper in wrappers:
        wrapper.step()
        wrapper.zero_grad()
    return log_vars


@MODEL_WRAPPERS.register_module()
class OnlineDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP wrapper that also trains an :class:`OnlineDistiller`
    whose parts have their own optimizers (an ``OptimWrapperDict``): the
    forward runs through DDP (gradients are all-reduced in the single
    backward), then every optimizer steps. With one optimizer it is
    ``MMDistributedDataParallel``."""

    def train_step(self, data, optim_wrapper):
        if not isinstance(optim_wrapper, OptimWrapperDict):
            return super().train_step(data, optim_wrapper)
        return parts_train_step(self.module, self, data, optim_wrapper)
