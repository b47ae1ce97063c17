"""Helpers shared by the detection distillers."""
from typing import List, Sequence

import torch
from torch import nn

from kdbench.distillers.single_teacher import DistillerConfigError


def flatten_levels(maps: Sequence[torch.Tensor],
                   channels: int) -> torch.Tensor:
    """Per-level head outputs (B, A·channels, H, W) -> (B, Σ H·W·A,
    channels), in the order of mmdet's flat anchors and targets."""
    return torch.cat([m.permute(0, 2, 3, 1).reshape(m.shape[0], -1, channels)
                      for m in maps], 1)


def level_starts(anchors_list: Sequence[torch.Tensor]) -> List[int]:
    """Where each level begins (and, last, where the levels end) in the
    flat per-image anchor order; ``anchors_list``: per level (B, N_l, 4)."""
    starts = [0]
    for anchors in anchors_list:
        starts.append(starts[-1] + anchors.shape[1])
    return starts


def require_attr(module: nn.Module, attr: str, role: str, what: str):
    """``module.<attr>`` or an error saying which model lacks it and why
    the distiller needs it."""
    value = getattr(module, attr, None)
    if value is None:
        raise DistillerConfigError(
            f'The {role} ({type(module).__name__}) has no {attr!r}: {what}.')
    return value


def check_same_priors(student_head: nn.Module, teacher_head: nn.Module,
                      method: str) -> None:
    """Dense distillation compares outputs location by location: the two
    heads must lay out the same priors (strides, anchors per location,
    anchor sizes)."""
    s_gen = require_attr(student_head, 'prior_generator', 'student head',
                         f'{method} compares anchor locations')
    t_gen = require_attr(teacher_head, 'prior_generator', 'teacher head',
                         f'{method} compares anchor locations')
    problems = []
    s_strides = [tuple(s) for s in s_gen.strides]
    t_strides = [tuple(s) for s in t_gen.strides]
    if s_strides != t_strides:
        problems.append(f'strides {s_strides} vs {t_strides}')
    s_base = getattr(s_gen, 'base_anchors', None)
    t_base = getattr(t_gen, 'base_anchors', None)
    if s_base is not None and t_base is not None and not problems:
        if len(s_base) != len(t_base) or any(
                a.shape != b.shape or not torch.allclose(a, b)
                for a, b in zip(s_base, t_base)):
            problems.append(
                'anchor sizes per location '
                f'{[tuple(a.shape) for a in s_base]} vs '
                f'{[tuple(b.shape) for b in t_base]} (or their scales / '
                'ratios)')
    if problems:
        raise DistillerConfigError(
            f'{method}: student and teacher heads use different priors ('
            + '; '.join(problems) + '). Give the student the teacher\'s '
            'anchor_generator (strides, octave_base_scale, scales, ratios) '
            'and FPN levels.')


def level_sizes(maps: Sequence[torch.Tensor]) -> List[int]:
    """Number of flat positions (H·W·A counted as H·W) per level."""
    return [m.shape[-2] * m.shape[-1] for m in maps]


def detection_loss_context(wanted, data_samples) -> dict:
    """The detection ground truth a distillation loss may name in its
    ``forward`` (``kdbench.distillers.loss_context``): ``gt_instances``
    (one ``InstanceData`` with ``bboxes`` and ``labels`` per image) and
    ``img_metas``; only the names in ``wanted``."""
    context = {}
    if 'gt_instances' in wanted:
        context['gt_instances'] = [s.gt_instances for s in data_samples]
    if 'img_metas' in wanted:
        context['img_metas'] = [s.metainfo for s in data_samples]
    return context
