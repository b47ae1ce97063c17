"""NetDistiller (Zhang et al., IEEE Micro 2023; METHODS §5.2): in-situ
distillation from a weight-sharing teacher, with gradient surgery and
uncertainty-aware distillation."""
import math
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import is_model_wrapper
from mmpretrain.models import ImageClassifier

from kdbench.distillers.model_refs import (build_model,
                                           normalisation_mismatch)
from kdbench.distillers.single_teacher import (DistillerConfigError,
                                               load_teacher_weights)
from kdbench.registry import MODELS
from kdbench.utils.dist import average_gradients
from .dynamic_ops import DynamicConv2d
from .gradient_surgery import project_conflicting
from .mobilenet_v2 import SliceableMobileNetV2
from .sliceable_classifier import (base_classifier_state,
                                   widen_classifier_input)


def entropy_bits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of softmax(logits) per row, in bits (log base 2)."""
    logp = F.log_softmax(logits, dim=-1)
    return -(logp.exp() * logp).sum(-1) / math.log(2)


@MODELS.register_module()
class NetDistillerClassifier(ImageClassifier):
    r"""An mmpretrain ``ImageClassifier`` whose sliceable backbone is at
    once the tiny student (base widths, norm set ``student``) and its
    weight-sharing teacher (``teacher_width`` × the channels of every width
    group: stem, stages and final 1x1 conv; norm set ``teacher``).
    Convolutions and the classifier are shared (the student's classifier
    reads the first features of the teacher's); BatchNorms are separate.

    Each step (METHODS §5.2):

    * teacher: L_tea = the head's loss (CE with label smoothing 0.1 in the
      configs);
    * student, uncertainty-aware: per image, KL(p_tea ‖ p_stu) at T = 1 with
      the teacher detached when the entropy of the student's prediction is
      at least ``uncertainty_threshold`` **bits**, else the head's loss on
      the label (the paper's τ_u = 3.75 fits bits: its ImageNet entropies
      span [1.46, 9.97] bits with smoothing 0.1);
      ``uncertainty_threshold=None`` always distills (the paper's
      "w/o UD"); while ``label_warmup`` is set (by
      :class:`~kdbench.tiny.hooks.NetDistillerScheduleHook`, early in
      training, when the in-situ teacher is still near chance) every image
      takes the label loss instead;
    * gradient surgery (``gradient_surgery=True``): for every shared
      parameter tensor the teacher's gradient is projected onto the normal
      plane of the student's when their cosine is negative
      (:func:`project_conflicting`), and the step uses g_stu + proj(g_tea).
      The fraction of convolution weight tensors in conflict is logged as
      ``conflict_ratio`` (the paper's Table 3).

    ``train_step`` computes the two gradients with ``torch.autograd.grad``
    on the bare modules and, in a distributed run, averages the combined
    gradient over the ranks with one all-reduce (wrap with
    ``MMSeparateDistributedDataParallel`` so this ``train_step`` runs).
    Each rank projects its own batch's gradients before that all-reduce
    (as one GPU of the paper's 8 would with its share of the batch), and
    the logged ``conflict_ratio`` is the logging rank's.
    Evaluation, prediction and ``deploy_state_dict()`` use the student.

    ``teacher`` / ``teacher_checkpoint`` (``netdistiller_kd``): an external
    frozen teacher whose KD term (``teacher_kd``: tau, loss_weight; default
    T = 1, weight 1) joins the student's loss for every image.

    Which channels form the student (the first ones) and which layers are
    widened (all convolutions, the classifier's input with them) are the
    paper's open points, chosen as NetAug's official code does.
    """

    def __init__(self, *args, teacher_width: float = 3.0,
                 uncertainty_threshold: float = 3.75,
                 gradient_surgery: bool = True,
                 teacher=None, teacher_checkpoint: Optional[str] = None,
                 teacher_kd: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        # netdistiller_kd: an external frozen teacher (not a submodule: out
        # of the state dict and the optimizer, moved along in _apply)
        self._external = []
        if teacher is not None:
            external = build_model(teacher, 'teacher',
                                   default_preprocessor=None)
            mismatch = normalisation_mismatch(self.data_preprocessor,
                                              external.data_preprocessor)
            if mismatch:
                raise DistillerConfigError(
                    f'The external teacher was configured with {mismatch}; '
                    f'it runs on the student\'s batch. Give the teacher '
                    f'config the same data_preprocessor as the student.')
            load_teacher_weights(external, teacher_checkpoint)
            self._external.append(external.eval().requires_grad_(False))
        kd = {'tau': 1.0, 'loss_weight': 1.0, **(teacher_kd or {})}
        self.teacher_tau = float(kd['tau'])
        self.teacher_kd_weight = float(kd['loss_weight'])
        backbone = self.backbone
        if not isinstance(backbone, SliceableMobileNetV2) or \
                {'student', 'teacher'} - set(backbone.norm_sets) or \
                max(backbone.width_mults) < teacher_width:
            raise TypeError(
                'NetDistillerClassifier needs backbone=dict(type='
                "'kdbench.SliceableMobileNetV2', width_mults=(1.0, "
                f"{teacher_width}), norm_sets=('student', 'teacher')); got "
                f'{type(backbone).__name__} with '
                f'{getattr(backbone, "norm_sets", None)} / '
                f'{getattr(backbone, "width_mults", None)}.')
        widen_classifier_input(self.head, backbone)
        self.teacher_width = float(teacher_width)
        self.uncertainty_threshold = uncertainty_threshold
        self.gradient_surgery = gradient_surgery
        # the student learns from the labels only (set by
        # NetDistillerScheduleHook during its warm-up); not saved state
        self.label_warmup = False
        self.use_role('student')

    # ------------------------------------------------------------ roles
    def _bare(self, name: str):
        """A part without its DDP wrapper (MMSeparateDistributedDataParallel
        wraps each): the gradients come from autograd.grad, not DDP."""
        part = getattr(self, name)
        return part.module if is_model_wrapper(part) else part

    def use_role(self, role: str) -> None:
        backbone = self._bare('backbone')
        backbone.use_norm_set(role)
        backbone.set_active(
            self.teacher_width if role == 'teacher' else 1.0, 1.0)

    def extract_feat(self, inputs, stage: str = 'neck'):
        """As mmpretrain's, through the bare parts (under
        MMSeparateDistributedDataParallel each part is a DDP wrapper, which
        lacks the head's ``pre_logits`` / ``predict``)."""
        feats = self._bare('backbone')(inputs)
        if stage == 'backbone':
            return feats
        if self.with_neck:
            feats = self._bare('neck')(feats)
        if stage == 'neck':
            return feats
        return self._bare('head').pre_logits(feats)

    def predict(self, inputs, data_samples=None, **kwargs):
        return self._bare('head').predict(self.extract_feat(inputs),
                                          data_samples, **kwargs)

    def _logits(self, inputs, role: str) -> torch.Tensor:
        self.use_role(role)
        try:
            return self._bare('head')(self.extract_feat(inputs))
        finally:
            self.use_role('student')

    # ------------------------------------------------------------- loss
    def role_losses(self, inputs, data_samples
                    ) -> Tuple[torch.Tensor, torch.Tensor, Dict]:
        """(L_stu, L_tea, extra log values) of one batch."""
        target = torch.cat([s.gt_label for s in data_samples])
        t_logits = self._logits(inputs, 'teacher')
        s_logits = self._logits(inputs, 'student')
        loss_module = self._bare('head').loss_module
        loss_tea = loss_module(t_logits, target, avg_factor=len(target))
        hard = loss_module(s_logits, target, reduction_override='none')
        p_t = F.softmax(t_logits.detach(), dim=-1)
        kd = (p_t * (torch.log(p_t.clamp_min(1e-12)) -
                     F.log_softmax(s_logits, dim=-1))).sum(-1)
        if self.label_warmup:
            distill = torch.zeros_like(kd, dtype=torch.bool)
        elif self.uncertainty_threshold is None:
            distill = torch.ones_like(kd, dtype=torch.bool)
        else:
            distill = entropy_bits(s_logits.detach()) >= \
                self.uncertainty_threshold
        loss_stu = torch.where(distill, kd, hard.reshape(kd.shape)).mean()
        extra = {'kd_ratio': distill.float().mean()}
        if self._external:
            external = self._external_kd(inputs, s_logits)
            loss_stu = loss_stu + external
            extra['external_kd'] = external.detach()
        return loss_stu, loss_tea, extra

    def _external_kd(self, inputs, s_logits) -> torch.Tensor:
        """netdistiller_kd: w·T²·KL(p_ext ‖ p_stu) at T = ``tau``, the
        external teacher run once under no_grad in eval mode; part of the
        student's loss, so gradient surgery treats it as the student's."""
        with torch.no_grad():
            e_logits = self._external[0](inputs, mode='tensor')
        tau = self.teacher_tau
        p_e = F.softmax(e_logits / tau, dim=-1)
        kl = (p_e * (torch.log(p_e.clamp_min(1e-12)) -
                     F.log_softmax(s_logits / tau, dim=-1))).sum(-1).mean()
        return self.teacher_kd_weight * tau ** 2 * kl

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        for external in self._external:
            external._apply(fn, *args, **kwargs)
        return self

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        """In-situ distillation without surgery: the sum of both losses."""
        loss_stu, loss_tea, extra = self.role_losses(inputs, data_samples)
        return dict(loss_student=loss_stu, loss_teacher=loss_tea, **extra)

    # -------------------------------------------------------- train step
    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        if not self.gradient_surgery:
            return super().train_step(data, optim_wrapper)
        data = self.data_preprocessor(data, True)
        with optim_wrapper.optim_context(self):
            loss_stu, loss_tea, extra = self.role_losses(**data)
        params = [p for p in self.parameters() if p.requires_grad]
        g_stu = torch.autograd.grad(loss_stu, params, retain_graph=True,
                                    allow_unused=True)
        g_tea = torch.autograd.grad(loss_tea, params, allow_unused=True)
        conv_weights = {id(m.weight) for m in self.modules()
                        if isinstance(m, DynamicConv2d)}
        conflicts = shared_convs = 0
        for param, gs, gt in zip(params, g_stu, g_tea):
            if gs is not None and gt is not None:
                gt, conflict = project_conflicting(gt, gs)
                if id(param) in conv_weights:
                    shared_convs += 1
                    conflicts += int(conflict)
            grads = [g for g in (gs, gt) if g is not None]
            param.grad = sum(grads) if grads else None
        average_gradients(params)
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        log_vars = dict(loss=(loss_stu + loss_tea).detach(),
                        loss_student=loss_stu.detach(),
                        loss_teacher=loss_tea.detach(),
                        conflict_ratio=torch.tensor(
                            conflicts / max(shared_convs, 1)),
                        **{k: v.detach() for k, v in extra.items()})
        return log_vars

    # ------------------------------------------------------------ deploy
    def deploy_state_dict(self) -> Dict[str, torch.Tensor]:
        """The plain tiny classifier: the student's slices and BNs."""
        state = {k: v for k, v in self.state_dict().items()
                 if not k.startswith('backbone.')}
        backbone = self._bare('backbone')
        state.update({f'backbone.{k}': v for k, v in
                      backbone.export_state_dict('student').items()})
        base_classifier_state(state, backbone)
        return state
