"""Schedules of a distillation loss's weight over training.

Any entry of a distiller's ``distill_losses`` may add
``weight_schedule=dict(type=...)``: the distiller multiplies that loss by
the schedule's factor at the current iteration / epoch (from mmengine's
runtime information, see ``kdbench.distillers.loss_context``), so a loss
never carries warm-up code. E.g. DKD's warm-up (Zhao et al. 2022: the
loss ramps linearly over the first 20 epochs)::

    dkd=dict(type='kdbench.DKDLoss', ..., student='head.fc',
             teacher='head.fc',
             weight_schedule=dict(type='kdbench.LossWeightWarmup',
                                  length=20, by_epoch=True))
"""
from kdbench.registry import MODELS


class LossWeightSchedule:
    """A factor on a loss's value given the training progress."""

    def __call__(self, iteration: int, epoch: int) -> float:
        raise NotImplementedError


@MODELS.register_module()
class LossWeightWarmup(LossWeightSchedule):
    """Linear warm-up: factor ``min((k + 1) / length, 1)`` in the k-th
    (0-based) epoch, or iteration with ``by_epoch=False``. The first epoch
    of a 20-epoch warm-up gets 1/20, as DKD's official code
    (``min(epoch / warmup, 1)`` with epochs counted from 1)."""

    def __init__(self, length: int, by_epoch: bool = True):
        if int(length) != length or length < 1:
            raise ValueError(f'LossWeightWarmup: length must be a positive '
                             f'integer, got {length!r}.')
        self.length = int(length)
        self.by_epoch = bool(by_epoch)

    def __call__(self, iteration: int, epoch: int) -> float:
        step = epoch if self.by_epoch else iteration
        return min((step + 1) / self.length, 1.0)

    def __repr__(self) -> str:
        unit = 'epochs' if self.by_epoch else 'iterations'
        return f'LossWeightWarmup({self.length} {unit})'


__all__ = ['LossWeightSchedule', 'LossWeightWarmup']
