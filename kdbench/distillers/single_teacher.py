"""SingleTeacherDistiller: offline distillation of any OpenMMLab model.

The student is trained with its own task losses plus distillation losses
between tapped modules of student and teacher. The teacher

* is built from a config and a checkpoint (``weights_only`` by default),
* is *not* a registered submodule: it is outside ``parameters()``, the
  optimizer, DDP and ``state_dict()`` (so outside saved checkpoints), and
  follows the distiller's device and dtype through :meth:`_apply`,
* stays in eval mode and runs once per batch under ``torch.no_grad()``.

Training returns the student's losses prefixed ``student.`` and the
distillation losses prefixed ``distill.``; ``predict`` and ``tensor`` modes
run the student alone, so every mmpretrain / mmdet / mmseg metric works.
"""
import copy
import inspect
from typing import Dict, List, Optional, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import nn

from kdbench.compat import load_checkpoint_file
from kdbench.connectors import infer_out_channels
from kdbench.recorders import (ModuleOutputRecorder, TapError, find_module,
                               parse_tap)
from kdbench.registry import MODELS
from kdbench.utils.state_dicts import extract_state_dict, state_dict_problems
from .loss_context import (PROGRESS_KEYS, class_labels, progress_context,
                           sample_indices)
from .paired_init import init_like_plain, rng_after_build
from .model_refs import (build_model, normalisation_mismatch,
                         wrapper_preprocessor)


#: teacher_precision -> autocast dtype (None: no autocast)
TEACHER_PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16,
                      'fp16': torch.float16}


class _NoGradAutocast:
    """``torch.no_grad()`` and ``torch.autocast(device, dtype)`` as one
    context."""

    def __init__(self, device: str, dtype: torch.dtype):
        self._contexts = (torch.no_grad(), torch.autocast(device, dtype))

    def __enter__(self):
        for context in self._contexts:
            context.__enter__()

    def __exit__(self, *exc):
        for context in reversed(self._contexts):
            context.__exit__(*exc)
        return False


class DistillerConfigError(ValueError):
    """A distiller config is inconsistent (taps, connectors, checkpoint)."""


class ShapeMismatchError(ValueError):
    """Student and teacher taps cannot be compared by their loss."""


@MODELS.register_module()
class SingleTeacherDistiller(BaseModel):
    """Offline knowledge distillation with one frozen teacher.

    Args:
        student: model dict or config reference (see ``model_refs``).
        teacher: model dict or config reference.
        teacher_checkpoint: path or URL of the teacher weights; required.
        teacher_weights_only: ``None`` (default) applies kdbench's trust
            policy: weights-only loading, full unpickling only for trusted
            locations or with ``KDBENCH_ALLOW_PICKLE=1``; ``True`` forces
            weights-only; ``False`` unpickles fully (only for a file you
            trust: a pickle can run code).
        distill_losses: ``name -> loss cfg``; each loss cfg names its taps
            with ``student=`` and ``teacher=`` and may add ``connector=``
            (a dict or a list of dicts applied in order to the student tap)
            and ``weight_schedule=`` (a factor on the loss over training,
            e.g. ``dict(type='kdbench.LossWeightWarmup', length=20)``).
            A loss receives the context it names in ``forward`` (labels,
            ground truth, training progress: ``distillers.loss_context``).
        student_loss_weight: factor on the student's own task losses (e.g.
            1 − α in Hinton's formulation).
        teacher_precision: ``'fp32'`` (default), ``'bf16'`` or ``'fp16'``:
            the teacher's forward under autocast in that dtype (bf16 on
            CPU, either on GPU); the losses still compute in fp32.
        teacher_channels_last: keep the teacher's weights and the images
            its backbone(s) receive in channels-last memory format (faster
            convolutions on some CPUs and GPUs; same values).
        data_preprocessor: a module to use as is, or a dict that becomes
            the default preprocessor of student and teacher configs lacking
            one (mmengine's Runner passes the config's top-level
            ``data_preprocessor`` here). The distiller preprocesses with the
            student's; the teacher sees the same batch.
    """

    #: the deployable weights are the checkpoint's ``student.*`` tensors
    #: as they are (tools/export_student.py needs no rebuilt model)
    exports_by_prefix = True

    def __init__(self,
                 student: Union[str, dict],
                 teacher: Union[str, dict],
                 teacher_checkpoint: Optional[str] = None,
                 teacher_weights_only: Optional[bool] = None,
                 distill_losses: Optional[Dict[str, dict]] = None,
                 student_loss_weight: float = 1.0,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None,
                 teacher_precision: str = 'fp32',
                 teacher_channels_last: bool = False):
        if teacher_precision not in TEACHER_PRECISIONS:
            raise DistillerConfigError(
                f'teacher_precision must be one of '
                f'{tuple(TEACHER_PRECISIONS)}, got {teacher_precision!r}.')
        student_model = build_model(student, 'student',
                                    default_preprocessor=data_preprocessor)
        student_rng = rng_after_build()
        teacher_model = self._build_teacher(teacher, data_preprocessor)
        super().__init__(data_preprocessor=wrapper_preprocessor(
            data_preprocessor, student_model), init_cfg=init_cfg)
        self.student = student_model
        self._student_rng = student_rng
        object.__setattr__(self, 'teacher', teacher_model)
        self.student_loss_weight = float(student_loss_weight)
        self.teacher_precision = teacher_precision
        self._check_preprocessors()
        self._load_teacher(teacher_checkpoint, teacher_weights_only)
        self.teacher.eval()
        self.teacher.requires_grad_(False)
        if teacher_channels_last:
            _use_channels_last(self.teacher)

        self.distill_losses = nn.ModuleDict()
        self.connectors = nn.ModuleDict()
        self.taps: Dict[str, tuple] = {}
        self.weight_schedules: Dict[str, object] = {}
        for name, cfg in (distill_losses or {}).items():
            self._add_loss(name, copy.deepcopy(dict(cfg)))
        self.student_recorder = ModuleOutputRecorder(
            self.student, _flat(s for s, _ in self.taps.values()), 'student',
            repeats=getattr(self.student, 'tap_repeats', 'error'))
        self.teacher_recorder = ModuleOutputRecorder(
            self.teacher, _flat(t for _, t in self.taps.values()), 'teacher',
            repeats=getattr(self.teacher, 'tap_repeats', 'error'))
        self._shapes_checked = False


    def init_weights(self) -> None:
        """The student first, drawn as a plain run of the same seed would
        (kdbench.distillers.paired_init), then everything else."""
        init_like_plain(self.student, self._student_rng)
        super().init_weights()

    # ------------------------------------------------------------ building
    def _check_preprocessors(self) -> None:
        """The teacher runs on the student's preprocessed batch: refuse a
        teacher whose own normalisation differs."""
        mismatch = normalisation_mismatch(self.data_preprocessor,
                                          self.teacher.data_preprocessor)
        if mismatch:
            raise DistillerConfigError(
                f'The teacher was configured with {mismatch}; both networks '
                f'see the same batch. Give the teacher config the same '
                f'data_preprocessor as the student.')

    def _build_teacher(self, teacher, data_preprocessor) -> nn.Module:
        """The frozen teacher network (several, for a multi-teacher
        distiller)."""
        return build_model(teacher, 'teacher',
                           default_preprocessor=data_preprocessor)

    def _load_teacher(self, checkpoint: Optional[str],
                      weights_only: bool) -> None:
        load_teacher_weights(self.teacher, checkpoint, weights_only)

    def _add_loss(self, name: str, cfg: dict) -> None:
        try:
            student_tap, teacher_tap = cfg.pop('student'), cfg.pop('teacher')
        except KeyError as err:
            raise DistillerConfigError(
                f'distill_losses.{name} must name its taps with student=... '
                f'and teacher=... (module paths, e.g. "head.fc").') from err
        loss_cls = MODELS.get(cfg.get('type', ''))
        if loss_cls is None:
            from kdbench.utils.error_translation import closest_types
            raise DistillerConfigError(
                f'distill_losses.{name}: unknown loss type '
                f'{cfg.get("type")!r}{closest_types(cfg.get("type", ""))}.')
        student_taps, teacher_taps = self._tap_lists(
            name, loss_cls, student_tap, teacher_tap)
        connector_cfg = cfg.pop('connector', None)
        schedule_cfg = cfg.pop('weight_schedule', None)
        if schedule_cfg is not None:
            self.weight_schedules[name] = _build_schedule(name, schedule_cfg)
        # validate every path at build time, with the closest valid names
        s_modules = [_tap_module(self.student, tap, 'student', name)
                     for tap in student_taps]
        t_modules = [_tap_module(self.teacher, tap, 'teacher', name)
                     for tap in teacher_taps]
        if getattr(loss_cls, 'needs_teacher_channels', False) and \
                cfg.get('in_channels') is None:
            cfg['in_channels'] = infer_out_channels(t_modules[0])
            if cfg['in_channels'] is None:
                raise DistillerConfigError(
                    f'distill_losses.{name}: cannot infer the teacher '
                    f'channels from {type(t_modules[0]).__name__}; set '
                    f'in_channels= in the loss config.')
        per_tap = getattr(loss_cls, 'needs_tap_channels', False)
        if per_tap:
            # a loss with its own layers on the taps (CRD's embeddings, one
            # per side; ReviewKD's fusions, one per level: 'all')
            for key, modules, role in (
                    ('student_channels', s_modules, 'student'),
                    ('teacher_channels', t_modules, 'teacher')):
                if cfg.get(key) is not None:
                    continue
                found = [infer_out_channels(m) for m in modules]
                if None in found:
                    module = modules[found.index(None)]
                    raise DistillerConfigError(
                        f'distill_losses.{name}: cannot infer the {role} '
                        f'channels from {type(module).__name__}; set '
                        f'{key}= in the loss config.')
                cfg[key] = found if per_tap == 'all' else found[0]
        self.distill_losses[name] = MODELS.build(cfg)
        if connector_cfg is not None:
            if isinstance(student_tap, str):
                self.connectors[name] = self._build_chain(
                    connector_cfg, s_modules[0], t_modules[0], name)
            else:
                if not isinstance(connector_cfg, (list, tuple)) or \
                        len(connector_cfg) != len(student_taps):
                    raise DistillerConfigError(
                        f'distill_losses.{name} has {len(student_taps)} taps '
                        f'per side, so connector= must be a list with one '
                        f'entry per student tap (a dict, a list of dicts or '
                        f'None), got {connector_cfg!r}.')
                self.connectors[name] = nn.ModuleList(
                    self._build_chain(c or [], s, t, name)
                    for c, s, t in zip(connector_cfg, s_modules, t_modules))
        self.taps[name] = (student_tap if isinstance(student_tap, str)
                           else tuple(student_taps),
                           teacher_tap if isinstance(teacher_tap, str)
                           else tuple(teacher_taps))

    @staticmethod
    def _tap_lists(name, loss_cls, student_tap, teacher_tap):
        """Both sides' taps as lists; a loss over several taps per side
        (``num_taps`` > 1, e.g. FSP) takes lists of equal length."""
        num_taps = getattr(loss_cls, 'num_taps', 1)
        if getattr(loss_cls, 'multi_teacher_taps', False):
            # one student tap against one tap of each of several teachers
            teachers = [teacher_tap] if isinstance(teacher_tap, str) \
                else list(teacher_tap)
            if not isinstance(student_tap, str) or not teachers:
                raise DistillerConfigError(
                    f'distill_losses.{name}: {loss_cls.__name__} takes one '
                    f'student tap and a list of teacher taps (one per '
                    f'teacher, e.g. ["main.head.fc", "r34.head.fc"]), got '
                    f'student={student_tap!r}, teacher={teacher_tap!r}.')
            return [[student_tap], teachers]
        if num_taps is None:  # any number of levels, the same per side
            sides = [[tap] if isinstance(tap, str) else list(tap)
                     for tap in (student_tap, teacher_tap)]
            if not sides[0] or len(sides[0]) != len(sides[1]):
                raise DistillerConfigError(
                    f'distill_losses.{name}: {loss_cls.__name__} takes the '
                    f'same number of taps per side (a list each, shallowest '
                    f'first), got student={student_tap!r} and '
                    f'teacher={teacher_tap!r}.')
            return sides
        sides = []
        for role, tap in (('student', student_tap), ('teacher', teacher_tap)):
            taps = [tap] if isinstance(tap, str) else list(tap)
            if len(taps) != num_taps or (num_taps == 1
                                         and not isinstance(tap, str)):
                example = ('"backbone.layer3"' if num_taps == 1 else
                           '[' + ', '.join(f'"backbone.layer{i + 1}"'
                                           for i in range(num_taps)) + ']')
                raise DistillerConfigError(
                    f'distill_losses.{name}: {loss_cls.__name__} takes '
                    f'{num_taps} tap(s) per side, got {role}={tap!r}; write '
                    f'{role}={example}.')
            sides.append(taps)
        return sides

    def _build_chain(self, cfg, s_module, t_module, name) -> nn.ModuleList:
        cfgs = cfg if isinstance(cfg, (list, tuple)) else [cfg]
        return nn.ModuleList(
            self._build_connector(dict(c), s_module, t_module, name)
            for c in cfgs)

    def _build_connector(self, cfg: dict, s_module: nn.Module,
                         t_module: nn.Module, name: str) -> nn.Module:
        connector_cls = MODELS.get(cfg['type'])
        if connector_cls is None:
            raise DistillerConfigError(
                f'distill_losses.{name}.connector: unknown type '
                f'{cfg["type"]!r}.')
        if getattr(connector_cls, 'needs_channels', False):
            for key, module, role in (('in_channels', s_module, 'student'),
                                      ('out_channels', t_module, 'teacher')):
                if cfg.get(key) is None:
                    cfg[key] = infer_out_channels(module)
                    if cfg[key] is None:
                        raise DistillerConfigError(
                            f'distill_losses.{name}.connector: cannot infer '
                            f'the {role} channels from {type(module).__name__}'
                            f'; set {key}= in the connector config.')
        return MODELS.build(cfg)

    # ------------------------------------------------------ device / mode
    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        self.teacher._apply(fn, *args, **kwargs)
        return self

    def train(self, mode: bool = True):
        super().train(mode)
        self.teacher.eval()
        return self

    # ------------------------------------------------------------ forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.student(inputs, data_samples, mode=mode)

    def teacher_context(self):
        """The context of every teacher forward: no gradient, and
        autocast to ``teacher_precision`` unless it is fp32."""
        dtype = TEACHER_PRECISIONS[self.teacher_precision]
        if dtype is None:
            return torch.no_grad()
        device = next(self.student.parameters()).device.type
        return _NoGradAutocast(device, dtype)

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        with self.teacher_recorder.recording(), \
                self.student_recorder.recording():
            with self.teacher_context():
                self.teacher(inputs, data_samples, mode='tensor')
            losses = self.student_losses(
                self.student(inputs, data_samples, mode='loss'))
            losses.update(self.compute_distill_losses(
                **self.loss_context(inputs, data_samples)))
            losses.update(self.extra_losses(inputs, data_samples))
        return losses

    def loss_context(self, inputs, data_samples) -> dict:
        """Task inputs handed to the losses that take them by name (see
        :meth:`compute_distill_losses`): the class labels of
        classification samples as ``labels`` and their dataset indices as
        ``sample_indices``; task distillers add theirs.
        """
        context = {}
        device = inputs.device if torch.is_tensor(inputs) else None
        if 'labels' in self.context_wanted:
            labels = class_labels(data_samples)
            if labels is not None:
                context['labels'] = labels.to(device)
        if 'sample_indices' in self.context_wanted:
            indices = sample_indices(data_samples)
            if indices is not None:
                context['sample_indices'] = indices.to(device)
        return context

    @property
    def context_wanted(self) -> frozenset:
        """The context names some loss's ``forward`` takes (and the
        progress the weight schedules read): only those are computed."""
        if getattr(self, '_context_wanted', None) is None:
            names = set()
            for loss_fn in self.distill_losses.values():
                names |= _forward_params(loss_fn)
            if self.weight_schedules:
                names |= {'iteration', 'epoch'}
            self._context_wanted = frozenset(names)
        return self._context_wanted

    def extra_losses(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        """Terms beyond the tap-based losses, computed while the taps'
        recordings are available; none here."""
        return {}

    def student_losses(self, student_losses: dict) -> dict:
        """The student's own outputs keyed ``student.*``, its losses times
        ``student_loss_weight``."""
        losses = {}
        for key, value in student_losses.items():
            if 'loss' in key and self.student_loss_weight != 1.0:
                value = _scale(value, self.student_loss_weight)
            losses[f'student.{key}'] = value
        return losses

    def compute_distill_losses(self, **context) -> Dict[str, torch.Tensor]:
        """Distillation losses from the current recordings. ``context``
        holds task inputs (e.g. ``gt=`` label maps) passed to the losses
        whose ``forward`` takes an argument of that name; the training
        progress (``distillers.loss_context``) is added here. A loss with a
        ``weight_schedule`` is multiplied by its current factor."""
        context = {**progress_context(self.context_wanted & set(
            PROGRESS_KEYS)), **context}
        losses = {}
        for name, loss_fn in self.distill_losses.items():
            if not self.loss_is_active(name):
                continue
            extra = {key: value for key, value in context.items()
                     if key in _forward_params(loss_fn)}
            student, teacher = self._loss_inputs(name, loss_fn)
            if not self._shapes_checked and student is not None:
                self._check_shapes(name, loss_fn, student, teacher)
            value = loss_fn(student, teacher, **extra)
            schedule = self.weight_schedules.get(name)
            if schedule is not None:
                value = _scale(value, schedule(context['iteration'],
                                               context['epoch']))
            losses[f'distill.loss_{name}'] = value
        self._shapes_checked = True
        return losses

    def loss_is_active(self, name: str) -> bool:
        """Whether loss ``name`` is computed in this step (always here;
        stage-wise training switches losses on and off)."""
        return True

    def _loss_inputs(self, name: str, loss_fn: nn.Module):
        """The (student, teacher) inputs of loss ``name``: recorded taps,
        the student side through its connectors; lists for multi-tap
        losses; no student for a loss that does not use it right now."""
        student_tap, teacher_tap = self.taps[name]
        if isinstance(teacher_tap, str):
            teacher = self.teacher_recorder.get(teacher_tap)
        else:
            teacher = [self.teacher_recorder.get(t) for t in teacher_tap]
        if not getattr(loss_fn, 'uses_student', True):
            return None, teacher
        chains = self.connectors[name] if name in self.connectors else None
        if isinstance(student_tap, str):
            return _connect(self.student_recorder.get(student_tap), teacher,
                            chains), teacher
        return [_connect(self.student_recorder.get(tap), t,
                         chains[i] if chains is not None else None)
                for i, (tap, t) in enumerate(zip(student_tap, teacher))
                ], teacher

    def _check_shapes(self, name, loss_fn, student, teacher) -> None:
        if isinstance(student, (list, tuple)):
            problem = loss_fn.shape_problem([x.shape for x in student],
                                            [x.shape for x in teacher])
            if problem is not None:
                raise ShapeMismatchError(
                    f'distill_losses.{name}: student taps '
                    f'{list(self.taps[name][0])} and teacher taps '
                    f'{list(self.taps[name][1])}: {problem}.')
            return
        problem = loss_fn.shape_problem(
            student.shape, [t.shape for t in teacher]
            if isinstance(teacher, (list, tuple)) else teacher.shape)
        if problem is None:
            return
        student_tap, teacher_tap = self.taps[name]
        via = ' after its connector' if name in self.connectors else ''
        if student.dim() == 4 and student.shape[2:] != teacher.shape[2:]:
            fix = ("add connector=dict(type='kdbench.Resize') (and a "
                   "kdbench.ConvAdapter before it if channels differ too), "
                   "or tap layers of equal stride")
        elif student.dim() >= 2 and student.shape[1] != teacher.shape[1] \
                and getattr(loss_fn, 'compares_class_scores', False):
            fix = (f'the student predicts {student.shape[1]} classes and the '
                   f'teacher {teacher.shape[1]}: {type(loss_fn).__name__} '
                   f'compares the same classes, so give both heads the '
                   f'dataset\'s class count (num_classes) and a teacher '
                   f'trained on those classes; a connector would only '
                   f'distil remapped scores')
        elif student.dim() >= 2 and student.shape[1] != teacher.shape[1]:
            fix = ("add connector=dict(type='kdbench.ConvAdapter') for "
                   "feature maps (kdbench.LinearAdapter for vectors) to map "
                   "the student channels onto the teacher's")
        else:
            fix = 'tap layers whose outputs this loss can compare'
        raise ShapeMismatchError(
            f'distill_losses.{name}: student tap {student_tap!r}{via} gives '
            f'{tuple(student.shape)}, teacher tap {teacher_tap!r} gives '
            f'{tuple(teacher.shape)}. {problem}. Fix: {fix}.')


def load_teacher_weights(teacher: nn.Module, checkpoint: Optional[str],
                         weights_only: Optional[bool] = None) -> None:
    """Load a teacher's weights with an actionable error for a missing,
    untrusted or mismatching checkpoint (any kdbench model that holds a
    frozen teacher)."""
    if not checkpoint:
        raise DistillerConfigError(
            'teacher_checkpoint is required: a distiller needs a trained '
            'teacher. Train one with tools/train.py (its weights.pth is '
            'written at the end) or let tools/benchmark.py train and '
            'cache it.')
    if checkpoint.startswith(('http://', 'https://')):
        loaded = torch.hub.load_state_dict_from_url(
            checkpoint, map_location='cpu',
            weights_only=weights_only is not False)
    else:
        loaded = load_checkpoint_file(checkpoint, 'cpu',
                                      weights_only=weights_only)
    try:
        state = extract_state_dict(loaded)
    except ValueError as err:
        raise DistillerConfigError(
            f'Teacher checkpoint {checkpoint!r}: {err}.') from None
    problems = state_dict_problems(teacher.state_dict(), state)
    if problems:
        raise DistillerConfigError(
            f'Teacher checkpoint {checkpoint!r} does not fit the teacher '
            f'model: ' + '; '.join(problems) + '. Check that the teacher '
            'config is the one the checkpoint was trained with.')
    teacher.load_state_dict(state, strict=False)
    print_log(f'Loaded teacher weights from {checkpoint}', 'current')


def _flat(taps) -> List[str]:
    """Tap specs of single- and multi-tap losses as one list."""
    flat = []
    for tap in taps:
        flat.extend([tap] if isinstance(tap, str) else tap)
    return flat


def _connect(student: torch.Tensor, teacher: torch.Tensor,
             chain: Optional[nn.ModuleList]) -> torch.Tensor:
    for connector in chain or ():
        student = connector(student, teacher)
    return student


def _tap_module(model: nn.Module, tap: str, role: str,
                loss_name: str) -> nn.Module:
    path, _ = parse_tap(tap)
    try:
        return find_module(model, path, role)
    except TapError as err:
        raise TapError(f'distill_losses.{loss_name}: {err}') from None


def _to_channels_last(module, args):
    """Forward pre-hook: 4-D tensor arguments in channels-last format."""
    return tuple(a.contiguous(memory_format=torch.channels_last)
                 if torch.is_tensor(a) and a.dim() == 4 else a for a in args)


def _use_channels_last(teacher: nn.Module) -> None:
    """The teacher's weights, and the images its backbone(s) receive, in
    channels-last format (a multi-teacher ensemble: each member's)."""
    teacher.to(memory_format=torch.channels_last)
    backbones = [m for name, m in teacher.named_modules()
                 if name.split('.')[-1] == 'backbone' and name.count('.') <= 1]
    for module in backbones or [teacher]:
        module.register_forward_pre_hook(_to_channels_last)


def _build_schedule(name: str, cfg: dict):
    """The ``weight_schedule`` of loss ``name``, built from the registry."""
    from kdbench.losses.weight_schedule import LossWeightSchedule
    if not isinstance(cfg, dict) or MODELS.get(cfg.get('type', '')) is None:
        raise DistillerConfigError(
            f'distill_losses.{name}.weight_schedule: {cfg!r} is not a '
            f'registered schedule; e.g. dict(type=\'kdbench.LossWeightWarmup'
            f'\', length=20, by_epoch=True).')
    schedule = MODELS.build(dict(cfg))
    if not isinstance(schedule, LossWeightSchedule):
        raise DistillerConfigError(
            f'distill_losses.{name}.weight_schedule: {cfg["type"]} is not a '
            f'LossWeightSchedule.')
    return schedule


def _forward_params(module: nn.Module) -> frozenset:
    """Names of the arguments ``module.forward`` takes (cached per class)."""
    cls = type(module)
    if cls not in _FORWARD_PARAMS:
        _FORWARD_PARAMS[cls] = frozenset(
            inspect.signature(cls.forward).parameters)
    return _FORWARD_PARAMS[cls]


_FORWARD_PARAMS: Dict[type, frozenset] = {}


def _scale(value: Union[torch.Tensor, List[torch.Tensor]], factor: float):
    if isinstance(value, (list, tuple)):
        return [v * factor for v in value]
    return value * factor
