"""Distillation from several frozen teachers at once."""
from typing import Dict, Optional, Union

from torch import nn

from kdbench.registry import MODELS
from .model_refs import build_model, normalisation_mismatch
from .single_teacher import (DistillerConfigError, SingleTeacherDistiller,
                             load_teacher_weights)


class TeacherEnsemble(nn.Module):
    """Named teachers as submodules (a tap ``'r34.head.fc'`` is teacher
    ``r34``'s ``head.fc``); ``forward`` runs each once."""

    def __init__(self, members: Dict[str, nn.Module]):
        super().__init__()
        for name, model in members.items():
            if not name.isidentifier() or hasattr(nn.Module, name):
                raise DistillerConfigError(
                    f'Teacher name {name!r} must be a Python identifier '
                    f'that is not a torch Module attribute (it prefixes its '
                    f'taps, e.g. "{name}.head.fc").')
            self.add_module(name, model)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        return {name: member(inputs, data_samples, mode=mode)
                for name, member in self.named_children()}


@MODELS.register_module()
class MultiTeacherDistiller(SingleTeacherDistiller):
    """:class:`SingleTeacherDistiller` with several teachers: ``teacher`` /
    ``teacher_checkpoint`` are the main one (named ``main``, the suite's
    teacher), ``extra_teachers`` the others, each with its own model,
    checkpoint and trust setting. All of them follow the single teacher's
    rules: built from a config, loaded with the same trust policy, frozen,
    in eval mode, outside ``parameters()``, the optimizer, DDP and the
    student's export, run once per batch under ``no_grad``.

    Each loss names the teacher(s) in its taps: ``teacher='main.head.fc'``
    for one, ``teacher=['main.head.fc', 'r34.head.fc']`` for a loss over
    several (e.g. ``kdbench.EnsembleKDLoss``).

    Args:
        extra_teachers: ``{name: dict(model=..., checkpoint=...,
            weights_only=None)}``.
        Other arguments as :class:`SingleTeacherDistiller`.
    """

    MAIN = 'main'

    def __init__(self, *args, extra_teachers: Optional[Dict[str, dict]] = None,
                 **kwargs):
        self._extra_cfgs = dict(extra_teachers or {})
        if not self._extra_cfgs:
            raise DistillerConfigError(
                'MultiTeacherDistiller needs extra_teachers (with one '
                'teacher, use kdbench.SingleTeacherDistiller).')
        if self.MAIN in self._extra_cfgs:
            raise DistillerConfigError(
                f'extra_teachers: {self.MAIN!r} is the main teacher\'s name.')
        for name, cfg in self._extra_cfgs.items():
            if not isinstance(cfg, dict) or 'model' not in cfg or \
                    not cfg.get('checkpoint'):
                raise DistillerConfigError(
                    f'extra_teachers.{name} must be dict(model=<config or '
                    f'model dict>, checkpoint=<weights>), got {cfg!r}.')
        super().__init__(*args, **kwargs)

    def _build_teacher(self, teacher, data_preprocessor) -> nn.Module:
        members = {self.MAIN: build_model(
            teacher, 'teacher', default_preprocessor=data_preprocessor)}
        for name, cfg in self._extra_cfgs.items():
            members[name] = build_model(
                cfg['model'], f'extra teacher {name}',
                default_preprocessor=data_preprocessor)
        return TeacherEnsemble(members)

    def _load_teacher(self, checkpoint: Optional[str],
                      weights_only: Union[bool, None]) -> None:
        load_teacher_weights(getattr(self.teacher, self.MAIN), checkpoint,
                             weights_only)
        for name, cfg in self._extra_cfgs.items():
            load_teacher_weights(getattr(self.teacher, name),
                                 cfg['checkpoint'], cfg.get('weights_only'))

    def _check_preprocessors(self) -> None:
        for name, member in self.teacher.named_children():
            mismatch = normalisation_mismatch(self.data_preprocessor,
                                              member.data_preprocessor)
            if mismatch:
                raise DistillerConfigError(
                    f'Teacher {name!r} was configured with {mismatch}; all '
                    f'networks see the same batch. Give its config the '
                    f'student\'s data_preprocessor.')


__all__ = ['MultiTeacherDistiller', 'TeacherEnsemble']
