"""Base class of kdbench distillation losses.

A distillation loss receives one student tensor and one teacher tensor (the
outputs of its two taps, the student side already passed through the loss's
connector, if any) and returns a weighted scalar. Losses are task-agnostic:
which pixels, regions or samples are fed to them is decided by task glue.
"""
from typing import Optional, Sequence

import torch
from torch import nn


class DistillLoss(nn.Module):
    """Common interface: ``forward(student, teacher) -> weighted scalar``.

    Args:
        loss_weight: multiplier applied to the loss value.
    """

    #: whether student and teacher must have identical shapes (subclasses
    #: with weaker requirements override :meth:`shape_problem`).
    requires_same_shape = True

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
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
