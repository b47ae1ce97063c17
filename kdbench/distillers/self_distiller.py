"""SelfDistiller: one network teaches extra views of itself (self family).

Self-distillation methods have no external teacher: the network's own full
output is the target of other "views" of the same network computed in the
same ``train_step`` (BYOT: shallow classifiers on early stages, METHODS
§2.4; Self-Guidance: a stochastic-depth sub-network, METHODS §2.5). The
wrapper runs the shared loop; a pluggable *view module* (registered task
glue, e.g. ``kdbench.BYOTBranches`` and ``kdbench.SelfGuidanceView`` in
``kdbench/cls/``) says what the views are:

1. full pass: ``student(inputs, data_samples, mode='loss')`` inside
   ``views.full_pass(student)`` with the taps ``views.taps`` recorded; the
   network's own task losses are returned as ``student.*``;
2. ``views.view_losses(student, inputs, data_samples, full, recorder)``
   turns the recorded full outputs (``full``: tap -> tensor) into the
   views' losses, returned as ``distill.*`` (other returned keys are logged).

``student`` is the deployable network (exported by ``StudentExportHook``;
its weights load strictly into the plain student config); the view
module's parameters (BYOT's branches) train with it but are never
exported. ``predict`` / ``tensor`` modes run the deployable network alone,
inside ``views.deploy_pass(student)``. A view whose inference rule is not
the plain network's forward (Self-Guidance's stochastic-depth test rule)
folds it into the weights in ``views.deploy_state_dict(student)``; the
wrapper then hands that to the export hook, so the exported file and
``predict`` give the same outputs.
"""
import importlib
from contextlib import nullcontext
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from torch import nn

from kdbench.recorders import ModuleOutputRecorder
from kdbench.registry import MODELS
from .model_refs import build_model, wrapper_preprocessor
from .paired_init import init_like_plain, rng_after_build
from .single_teacher import DistillerConfigError

# packages whose registered view modules a SelfDistiller config may name
# (task glue); imported at build time so configs need no custom_imports
_VIEW_PACKAGES = ('kdbench.cls', )


class SelfDistillView(nn.Module):
    """Interface of a view module of :class:`SelfDistiller`.

    Subclasses set ``taps`` (module paths of the network recorded in the
    full pass), build their network-dependent parts in :meth:`attach` and
    compute their losses in :meth:`view_losses`. Their parameters are
    trained with the network and are not part of the deployable model.
    """

    #: taps recorded during the full pass (``'head.fc'``, ``'neck'``, ...)
    taps: Sequence[str] = ()

    def attach(self, student: nn.Module) -> None:
        """Build the parts that depend on the network and check it."""

    def full_pass(self, student: nn.Module):
        """Context of the full (teacher) pass; plain forward by default."""
        return nullcontext()

    def deploy_pass(self, student: nn.Module):
        """Context of ``predict`` / ``tensor``; must compute what the
        network loaded with :meth:`deploy_state_dict` computes plainly."""
        return nullcontext()

    def view_losses(self, student: nn.Module, inputs, data_samples,
                    full: Dict[str, torch.Tensor],
                    recorder: ModuleOutputRecorder) -> Dict[str, torch.Tensor]:
        """The views' losses (keys containing ``loss`` are summed; others
        are logged). ``recorder`` records ``taps`` in a further pass of the
        network inside ``with recorder.recording():``."""
        raise NotImplementedError

    def deploy_state_dict(self, student: nn.Module) -> Dict[str,
                                                            torch.Tensor]:
        """Weights of the deployable network (the plain student config)."""
        return student.state_dict()

    def folds_into_weights(self) -> bool:
        """Whether :meth:`deploy_state_dict` differs from the network's
        state_dict (the export then needs it)."""
        return type(self).deploy_state_dict is not \
            SelfDistillView.deploy_state_dict


@MODELS.register_module()
class SelfDistiller(BaseModel):
    """Self-distillation wrapper: the network and its views in one step.

    Args:
        student: model dict or config reference (see ``model_refs``): the
            network that is trained and deployed.
        views: config of a :class:`SelfDistillView` module, e.g.
            ``dict(type='kdbench.BYOTBranches')`` or
            ``dict(type='kdbench.SelfGuidanceView')``.
        data_preprocessor: a module, or a dict that becomes the student's
            default preprocessor (the Runner passes the config's top-level
            ``data_preprocessor``).
    """

    def __init__(self,
                 student: Union[str, dict],
                 views: Optional[dict] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        student_model = build_model(student, 'student',
                                    default_preprocessor=data_preprocessor)
        student_rng = rng_after_build()
        super().__init__(data_preprocessor=wrapper_preprocessor(
            data_preprocessor, student_model), init_cfg=init_cfg)
        self.student = student_model
        self._student_rng = student_rng
        self.views = _build_views(views)
        self.views.attach(self.student)
        self.recorder = ModuleOutputRecorder(self.student, self.views.taps,
                                             'student')
        if self.views.folds_into_weights():
            # StudentExportHook exports `model.student.deploy_state_dict()`
            # when present: give the network the folded export (a plain
            # attribute, not a submodule; nothing changes in state_dict())
            self.student.__dict__['deploy_state_dict'] = \
                self.deploy_state_dict

    def init_weights(self) -> None:
        """The student first, drawn as a plain run of the same seed would
        (kdbench.distillers.paired_init), then everything else."""
        init_like_plain(self.student, self._student_rng)
        super().init_weights()

    # ------------------------------------------------------------ forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        with self.views.deploy_pass(self.student):
            return self.student(inputs, data_samples, mode=mode)

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        full = {}
        with self.recorder.recording():
            with self.views.full_pass(self.student):
                own = self.student(inputs, data_samples, mode='loss')
            for tap in self.views.taps:
                full[tap] = self.recorder.get(tap)
        losses = {f'student.{key}': value for key, value in own.items()}
        extra = self.views.view_losses(self.student, inputs, data_samples,
                                       full, self.recorder)
        losses.update({f'distill.{key}': value
                       for key, value in extra.items()})
        return losses

    @torch.no_grad()
    def full_outputs(self, inputs) -> Dict[str, torch.Tensor]:
        """The recorded taps of a full pass on preprocessed ``inputs``
        (e.g. for a view module's ensemble or early-exit evaluation)."""
        with self.recorder.recording():
            with self.views.full_pass(self.student):
                self.student(inputs, mode='tensor')
            return {tap: self.recorder.get(tap) for tap in self.views.taps}

    # ------------------------------------------------------------ deploy
    def deploy_state_dict(self) -> Dict[str, torch.Tensor]:
        """The deployable network's weights (what ``weights.pth`` holds)."""
        return self.views.deploy_state_dict(self.student)


def _build_views(cfg) -> SelfDistillView:
    if isinstance(cfg, nn.Module):
        views = cfg
    else:
        if not cfg or 'type' not in cfg:
            raise DistillerConfigError(
                "SelfDistiller needs views=dict(type=...), e.g. "
                "dict(type='kdbench.BYOTBranches') or "
                "dict(type='kdbench.SelfGuidanceView').")
        for package in _VIEW_PACKAGES:
            importlib.import_module(package)
        views = MODELS.build(cfg)
    if not isinstance(views, SelfDistillView):
        raise DistillerConfigError(
            f'SelfDistiller views must be a SelfDistillView module (e.g. '
            f'kdbench.BYOTBranches, kdbench.SelfGuidanceView); got '
            f'{type(views).__name__}.')
    return views
