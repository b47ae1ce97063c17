"""What a distillation loss can ask for by naming it in ``forward``.

A loss's ``forward(student, teacher, ...)`` may take, by name, any of the
context the distiller hands out each step; only the names a loss asks for
are computed. Every distiller built on :class:`SingleTeacherDistiller`
hands out the training progress:

* ``iteration``: the global training iteration, 0-based;
* ``epoch``: the current epoch, 0-based (0 in an iteration-based loop);
* ``max_iters`` / ``max_epochs``: the loop's lengths (``None`` outside
  training, e.g. in a unit test that calls the loss directly);
* ``progress``: ``iteration / max_iters`` in [0, 1).

and the task's ground truth:

* classification: ``labels``, the (N,) class indices of the batch, and
  ``sample_indices``, the (N,) dataset indices of its samples (CRD's
  memory bank rows);
* detection: ``gt_instances``, one ``InstanceData`` (``bboxes``,
  ``labels``) per image, and ``img_metas``;
* segmentation: ``gt``, the (N, H, W) label maps.

The progress is mmengine's runtime information (``RuntimeInfoHook`` writes
it to the ``MessageHub`` every iteration), so a loss never reads the
``MessageHub`` itself.
"""
from typing import Iterable, Optional

import torch
from mmengine.logging import MessageHub

PROGRESS_KEYS = ('iteration', 'epoch', 'max_iters', 'max_epochs', 'progress')


def progress_context(wanted: Optional[Iterable[str]] = None) -> dict:
    """The training progress from mmengine's runtime information (the keys
    of :data:`PROGRESS_KEYS` in ``wanted``, all by default)."""
    wanted = set(PROGRESS_KEYS if wanted is None else wanted)
    if not wanted & set(PROGRESS_KEYS):
        return {}
    hub = MessageHub.get_current_instance()
    iteration = int(hub.get_info('iter', 0) or 0)
    max_iters = hub.get_info('max_iters')
    context = dict(iteration=iteration,
                   epoch=int(hub.get_info('epoch', 0) or 0),
                   max_iters=max_iters,
                   max_epochs=hub.get_info('max_epochs'),
                   progress=iteration / max_iters if max_iters else 0.0)
    return {k: v for k, v in context.items() if k in wanted}


def class_labels(data_samples) -> Optional[torch.Tensor]:
    """The (N,) class indices of mmpretrain data samples (``gt_label``),
    or None when the samples carry none."""
    if not data_samples or not all(
            getattr(s, 'gt_label', None) is not None for s in data_samples):
        return None
    return torch.cat([s.gt_label.reshape(-1)[:1] for s in data_samples])


def sample_indices(data_samples) -> Optional[torch.Tensor]:
    """The (N,) dataset indices of the samples (``sample_idx``, which
    mmengine's datasets set and mmpretrain's ``PackInputs`` keeps), or
    None when a sample lacks it."""
    if not data_samples:
        return None
    found = [s.metainfo.get('sample_idx') for s in data_samples]
    if any(i is None for i in found):
        return None
    return torch.as_tensor(found, dtype=torch.long)


__all__ = ['PROGRESS_KEYS', 'progress_context', 'class_labels',
           'sample_indices']
