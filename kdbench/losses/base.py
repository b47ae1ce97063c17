"""Base class of kdbench distillation losses.

A distillation loss receives one student tensor and one teacher tensor (the
outputs of its two taps, the student side already passed through the loss's
connector, if any) and returns a weighted scalar. Losses are task-agnostic:
which pixels, regions or samples are fed to them is decided by task glue.
"""
import difflib
import functools
import inspect
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence, Tuple

import torch
from torch import nn

from .arguments import LossArgumentError, check_loss_arguments


@contextmanager
def full_precision(student: torch.Tensor, teacher: torch.Tensor,
                   detach_teacher: bool = True
                   ) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
    """Yield (student, teacher) in at least fp32, autocast off, the teacher
    detached unless ``detach_teacher=False`` (online / self KD ablations).

    Distillation losses are computed in fp32 under AMP (METHODS.md §0);
    float64 inputs stay float64. ``.to`` returns the same tensor when the
    dtype already fits, so fp32 inputs are not copied.
    """
    with torch.autocast(device_type=student.device.type, enabled=False):
        dtype = torch.promote_types(student.dtype, torch.float32)
        if detach_teacher:
            teacher = teacher.detach()
        yield student.to(dtype), teacher.to(dtype)


def one_of(name: str, value, choices: Sequence):
    """``value`` if it is one of ``choices``, else a ValueError naming them
    (a loss option such as ``reduction``)."""
    if value not in choices:
        raise ValueError(f'{name} must be one of {tuple(choices)}, got '
                         f'{value!r}')
    return value


def check_rows(loss: str, columns: str, student: torch.Tensor,
               teacher: torch.Tensor) -> None:
    """Raise if ``student`` and ``teacher`` are not 2-D (rows, ``columns``)
    tensors of the same shape, naming both shapes."""
    if student.shape != teacher.shape or student.dim() != 2:
        raise ValueError(
            f'{loss} needs (rows, {columns}) logits of equal shape, got '
            f'student {tuple(student.shape)} and teacher '
            f'{tuple(teacher.shape)}.')


def feature_map_problem(name: str, student_shape: Sequence[int],
                        teacher_shape: Sequence[int]) -> Optional[str]:
    """Problem of comparing two (N, C, H, W) maps whose channels may differ:
    batch and spatial sizes must agree."""
    s, t = tuple(student_shape), tuple(teacher_shape)
    if len(s) < 3 or len(t) < 3:
        return (f'{name} needs feature maps (N, C, H, W), got student {s} '
                f'and teacher {t}')
    if s[0] != t[0] or s[2:] != t[2:]:
        return (f'{name} needs equal batch size and spatial size (channels '
                f'may differ), got student {s} and teacher {t}; a resize '
                f'connector is needed to match the spatial size')
    return None


class DistillLoss(nn.Module):
    """Common interface: ``forward(student, teacher) -> weighted scalar``.

    Args:
        loss_weight: multiplier applied to the loss value.
    """

    #: whether student and teacher must have identical shapes (subclasses
    #: with weaker requirements override :meth:`shape_problem`).
    requires_same_shape = True
    #: whether the loss compares class scores (logits): a channel mismatch
    #: then means the two networks predict different class sets
    compares_class_scores = False

    def __init_subclass__(cls, **kwargs):
        """Every loss checks its arguments when built (losses.arguments)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get('__init__')
        if init is None:
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def checked_init(self, *args, **kw):
            try:
                bound = signature.bind(self, *args, **kw)
            except TypeError as err:
                names = list(signature.parameters)[1:]
                close = [m for k in kw if k not in names for m in
                         difflib.get_close_matches(k, names, n=1)]
                hint = f' (did you mean {close[0]!r}?)' if close else ''
                raise LossArgumentError(
                    f'{type(self).__name__}: {err}{hint}; its arguments '
                    f'are {names}.') from None
            bound.apply_defaults()
            values = dict(bound.arguments)
            values.pop('self', None)
            check_loss_arguments(type(self).__name__, values)
            init(self, *args, **kw)

        cls.__init__ = checked_init

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        check_loss_arguments(type(self).__name__,
                             dict(loss_weight=loss_weight))
        self.loss_weight = float(loss_weight)

    def shape_problem(self, student_shape: Sequence[int],
                      teacher_shape: Sequence[int]) -> Optional[str]:
        """Describe why the two shapes cannot be compared, or return None.

        Called once, on the first batch, by the distiller, which adds the
        tap names and a connector suggestion to the message.
        """
        if self.requires_same_shape and \
                tuple(student_shape) != tuple(teacher_shape):
            return (f'{type(self).__name__} needs equal shapes, got student '
                    f'{tuple(student_shape)} and teacher '
                    f'{tuple(teacher_shape)}')
        return None

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}'


def weighted_mean(rows: torch.Tensor, weight: Optional[torch.Tensor] = None,
                  avg_factor=None) -> torch.Tensor:
    """Σ w·rows / avg_factor (default: the number of rows, at least 1), as
    mmdet's ``weight_reduce_loss`` with an ``avg_factor``."""
    if weight is not None:
        rows = rows * weight.to(rows.dtype)
    if avg_factor is None:
        avg_factor = max(rows.numel(), 1)
    return rows.sum() / avg_factor
