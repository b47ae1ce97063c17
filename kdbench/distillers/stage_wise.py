"""StageWiseDistiller: offline distillation in consecutive training stages.

The stage-wise family (FitNets' two stages, FT, AB, FSP, SSKD; METHODS §1)
trains different parameters under different objectives in turn: a hint or
paraphraser stage, then the task. One config describes all stages; the
``kdbench.TrainingStageHook`` switches them by epoch or iteration, so a
single ``tools/train.py`` run (and ``--resume``) covers the whole schedule.
"""
import copy
import difflib
from typing import Dict, List, Optional, Sequence

from mmengine.logging import print_log

from kdbench.registry import MODELS
from .single_teacher import DistillerConfigError, SingleTeacherDistiller


@MODELS.register_module()
class StageWiseDistiller(SingleTeacherDistiller):
    """A :class:`SingleTeacherDistiller` whose losses, task loss and
    trainable parameters change from stage to stage.

    Args:
        stages: list of dicts, in order, each with

            * ``name``: shown in the log;
            * ``end``: the stage lasts until this epoch (``by_epoch=True``)
              or iteration (exclusive); the last ``end`` must equal the
              run's ``max_epochs`` / ``max_iters``;
            * ``losses``: names of the ``distill_losses`` computed in this
              stage (others are skipped; default none);
            * ``task_loss``: whether the student's own losses count
              (default True);
            * ``trainable``: parameter-name prefixes (as in
              ``named_parameters()`` of this model: ``'student.backbone
              .layer1'``, ``'connectors.hint'``, ``'distill_losses.ft'``)
              that are trained; every other parameter is frozen
              (``requires_grad=False``), and every module with parameters,
              none trainable, is kept in eval mode, so frozen BatchNorm
              keeps its statistics (SSKD's unspecified detail, chosen
              here);
            * ``loss_phases``: optional ``{loss name: phase}`` for losses
              with phases (Factor Transfer: ``'paraphrase'`` /
              ``'transfer'``).
        by_epoch: unit of the stage ends.
        **kwargs: :class:`SingleTeacherDistiller` arguments.

    The student forward is skipped in stages without task loss whose
    losses do not use the student, and the teacher forward in stages
    without distillation losses, so no network runs for nothing.
    """

    def __init__(self, stages: Sequence[dict], by_epoch: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        self.by_epoch = bool(by_epoch)
        self.stages: List[dict] = []
        for index, stage in enumerate(stages):
            self.stages.append(self._check_stage(
                index, dict(copy.deepcopy(stage))))
        if not self.stages:
            raise DistillerConfigError('StageWiseDistiller needs at least '
                                       'one stage in stages=[...].')
        self.stage_index: Optional[int] = None

    # ------------------------------------------------------------ config
    def _check_stage(self, index: int, stage: dict) -> dict:
        where = f'stages[{index}]'
        if 'end' not in stage:
            raise DistillerConfigError(
                f'{where} needs end= (the epoch or iteration it stops at).')
        if self.stages and stage['end'] <= self.stages[-1]['end']:
            raise DistillerConfigError(
                f'{where}.end={stage["end"]} must be after the previous '
                f'stage\'s end {self.stages[-1]["end"]}; stages are listed '
                f'in training order.')
        stage.setdefault('name', f'stage{index}')
        stage.setdefault('task_loss', True)
        stage['losses'] = list(stage.get('losses', []))
        unknown = [n for n in stage['losses'] if n not in self.distill_losses]
        if unknown:
            raise DistillerConfigError(
                f'{where}.losses names {unknown}, which are not in '
                f'distill_losses {list(self.distill_losses)}.')
        phases = dict(stage.get('loss_phases', {}))
        for loss_name, phase in phases.items():
            loss = self.distill_losses[loss_name] if loss_name in \
                self.distill_losses else None
            if loss is None or not hasattr(loss, 'set_phase'):
                with_phases = [n for n, m in self.distill_losses.items()
                               if hasattr(m, 'set_phase')]
                raise DistillerConfigError(
                    f'{where}.loss_phases: {loss_name!r} is not a loss with '
                    f'phases (losses with phases: {with_phases}).')
            if phase not in loss.phases:
                raise DistillerConfigError(
                    f'{where}.loss_phases.{loss_name}: phase {phase!r} is '
                    f'not one of {loss.phases}.')
        stage['loss_phases'] = phases
        names = [name for name, _ in self.named_parameters()]
        trainable = stage.get('trainable')
        if not trainable:
            raise DistillerConfigError(
                f'{where} needs trainable=[...] parameter prefixes, e.g. '
                f'["student"] or ["student.backbone.layer1", '
                f'"connectors.sskd1"].')
        for prefix in trainable:
            if not any(_under(n, prefix) for n in names):
                close = _closest_prefixes(names, prefix)
                raise DistillerConfigError(
                    f'{where}.trainable: no parameter is under {prefix!r}. '
                    f'Closest valid prefixes: {close}.')
        stage['trainable'] = list(trainable)
        if not stage['losses'] and not stage['task_loss']:
            raise DistillerConfigError(
                f'{where} has no loss (losses=[] and task_loss=False), so it '
                f'would train nothing; give it losses or task_loss=True.')
        return stage

    @property
    def total_length(self) -> int:
        return self.stages[-1]['end']

    # ------------------------------------------------------------ switching
    def stage_at(self, progress: int) -> int:
        """Index of the stage that holds epoch/iteration ``progress``."""
        for index, stage in enumerate(self.stages):
            if progress < stage['end']:
                return index
        return len(self.stages) - 1

    def set_stage(self, index: int) -> None:
        """Enter stage ``index``: phases, requires_grad and BN modes."""
        stage = self.stages[index]
        for loss_name, phase in stage['loss_phases'].items():
            self.distill_losses[loss_name].set_phase(phase)
        for name, param in self.named_parameters():
            param.requires_grad_(any(_under(name, p)
                                     for p in stage['trainable']))
        if self.stage_index != index:
            print_log(f'StageWiseDistiller: stage {index} '
                      f'({stage["name"]}): losses {stage["losses"] or "none"}'
                      f', task loss {"on" if stage["task_loss"] else "off"}, '
                      f'training {stage["trainable"]}', 'current')
        self.stage_index = index
        self.train(self.training)

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and self.stage_index is not None:
            for module in self.modules():
                own = list(module.parameters(recurse=False))
                if own and not any(p.requires_grad for p in own):
                    module.eval()
        return self

    # ------------------------------------------------------------ training
    @property
    def stage(self) -> dict:
        if self.stage_index is None:
            raise DistillerConfigError(
                'StageWiseDistiller was trained without a stage; add '
                "custom_hooks=[dict(type='kdbench.TrainingStageHook')] to "
                'the config (it switches the stages).')
        return self.stages[self.stage_index]

    def loss_is_active(self, name: str) -> bool:
        return name in self.stage['losses']

    def loss(self, inputs, data_samples) -> Dict:
        stage = self.stage
        active = [self.distill_losses[n] for n in stage['losses']]
        run_student = stage['task_loss'] or any(
            getattr(loss, 'uses_student', True) for loss in active)
        losses = {}
        with self.teacher_recorder.recording(), \
                self.student_recorder.recording():
            if active:
                with self.teacher_context():
                    self.teacher(inputs, data_samples, mode='tensor')
            if stage['task_loss']:
                losses.update(self.student_losses(
                    self.student(inputs, data_samples, mode='loss')))
            elif run_student:
                self.student(inputs, data_samples, mode='tensor')
            losses.update(self.compute_distill_losses(
                **self.loss_context(inputs, data_samples)))
            losses.update(self.extra_losses(inputs, data_samples))
        # inactive losses are logged as 0 (mmengine would otherwise keep
        # showing their last value from an earlier stage)
        zero = next(iter(losses.values())).new_zeros(())
        for name in self.distill_losses:
            losses.setdefault(f'distill.loss_{name}', zero)
        return losses


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + '.')


def _closest_prefixes(names: List[str], prefix: str, n: int = 6) -> List[str]:
    candidates = sorted({'.'.join(name.split('.')[:depth])
                         for name in names for depth in range(1, 5)})
    return difflib.get_close_matches(prefix, candidates, n=n, cutoff=0.3) \
        or [c for c in candidates if '.' not in c]
