"""A single-teacher distiller that reads the teacher's logits from a
teacher-output cache instead of running the teacher."""
import os.path as osp
from typing import Dict, Optional

import torch
from torch import nn

from kdbench.distillers.single_teacher import (DistillerConfigError,
                                               SingleTeacherDistiller,
                                               _connect)
from kdbench.registry import MODELS
from kdbench.utils.hashing import file_sha256
from .store import TeacherCacheError, TeacherOutputCache


@MODELS.register_module()
class CachedTeacherDistiller(SingleTeacherDistiller):
    """:class:`SingleTeacherDistiller` whose teacher logits come from a
    cache built by ``tools/cache_teacher.py`` (Shen & Xing, "A Fast
    Knowledge Distillation Framework for Visual Recognition", ECCV 2022):
    each step looks up the (epoch, sample) rows of the batch, checks that
    every view is the one the teacher saw, rebuilds the logits from the
    stored top k and hands them to the losses as the teacher side of the
    cached tap. The teacher is built and its checkpoint read (the cache is
    keyed by the weights' sha256) but never run.

    The training data must be replayable: ``train_dataloader`` wraps its
    dataset in ``kdbench.ViewReplayDataset`` (seed = the cache's) and uses
    ``kdbench.EpochIndexSampler`` (``kdbench.TeacherCacheHook`` checks the
    run against the cache before training). Every loss's teacher tap must
    be the cached one: only the logits are stored.

    Args:
        teacher_cache: the cache directory.
        cache_tap: the teacher module whose output is cached (the logits).
        Other arguments as :class:`SingleTeacherDistiller`.
    """

    def __init__(self, *args, teacher_cache: str,
                 cache_tap: str = 'head.fc', **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_tap = cache_tap
        for name, (_, teacher_tap) in self.taps.items():
            if teacher_tap != cache_tap:
                raise DistillerConfigError(
                    f'distill_losses.{name}: the teacher tap is '
                    f'{teacher_tap!r}, but the cache holds only '
                    f'{cache_tap!r} (the logits); a feature loss needs the '
                    f'online teacher (kdbench.SingleTeacherDistiller).')
        self.cache_path = teacher_cache
        self.cache = TeacherOutputCache.open(teacher_cache)
        self._teacher_sha = None
        self._cached: Optional[torch.Tensor] = None
        self._check_teacher(kwargs.get('teacher_checkpoint'))

    def _check_teacher(self, checkpoint: Optional[str]) -> None:
        """The cache must come from these teacher weights."""
        if checkpoint and osp.isfile(checkpoint):
            self._teacher_sha = file_sha256(checkpoint)
        problems = self.cache.problems(
            **({'teacher_sha256': self._teacher_sha}
               if self._teacher_sha else {}))
        classes = self.student.head.fc.out_features \
            if hasattr(getattr(self.student, 'head', None), 'fc') else None
        if classes is not None and classes != self.cache.header[
                'num_classes']:
            problems.append(f'it has {self.cache.header["num_classes"]} '
                            f'classes, the student {classes}')
        if problems:
            raise TeacherCacheError(
                f'The teacher-output cache {self.cache_path} does not match '
                f'this run: {"; ".join(problems)}. Rebuild it: '
                f'{self.cache.header["build_command"]}')

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        meta = [s.metainfo for s in data_samples]
        if any('cache_epoch' not in m or 'view_crc' not in m for m in meta):
            raise TeacherCacheError(
                'The batch carries no cache rows (cache_epoch / view_crc): '
                'wrap the training dataset in kdbench.ViewReplayDataset and '
                'sample it with kdbench.EpochIndexSampler.')
        rows = [torch.tensor([m[k] for m in meta], dtype=torch.long)
                for k in ('cache_epoch', 'sample_idx', 'view_crc')]
        self._cached = self.cache.logits(*rows).to(inputs.device)
        try:
            with self.student_recorder.recording():
                losses = self.student_losses(
                    self.student(inputs, data_samples, mode='loss'))
                losses.update(self.compute_distill_losses(
                    **self.loss_context(inputs, data_samples)))
                losses.update(self.extra_losses(inputs, data_samples))
        finally:
            self._cached = None
        return losses

    def _loss_inputs(self, name: str, loss_fn: nn.Module):
        """The cached logits as the teacher side (the student side as the
        online distiller has it)."""
        student_tap, _ = self.taps[name]
        teacher = self._cached.to(
            self.student_recorder.get(student_tap).dtype)
        chains = self.connectors[name] if name in self.connectors else None
        return _connect(self.student_recorder.get(student_tap), teacher,
                        chains), teacher


__all__ = ['CachedTeacherDistiller']
