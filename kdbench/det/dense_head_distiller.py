"""Distillation of dense (one-stage) detectors with box-bin heads: LD and
feature imitation on mmdet's GFL."""
import copy
from typing import Dict, Optional

import torch
from mmdet.models.utils import unpack_gt_instances

from kdbench.distillers.single_teacher import (DistillerConfigError,
                                               ShapeMismatchError,
                                               SingleTeacherDistiller)
from kdbench.recorders import record_calls
from kdbench.registry import MODELS
from .regions import centres_inside_boxes, valuable_localization_region
from .utils import (check_same_priors, detection_loss_context,
                    flatten_levels, level_starts, require_attr)

FEAT_IMIT_MASKS = ('all', 'gt_boxes', 'main_region')


@MODELS.register_module()
class DenseHeadDistiller(SingleTeacherDistiller):
    """Localization Distillation (Zheng et al., CVPR 2022; METHODS §3.2)
    and feature imitation (§3.3) for single-stage detectors.

    The student trains with its own head losses (mmdet's ``loss_by_feat``,
    unchanged); the assigner's targets that ``loss_by_feat`` computes are
    recorded on the way (``get_targets``), so the main region costs no
    second assignment. The teacher runs ``extract_feat`` and its head once
    per batch under ``no_grad``.

    Supported heads: mmdet's ``GFLHead`` and its subclasses (``LDHead``)
    for the LD terms (they need the ``reg_max`` box-bin distribution);
    ``cls_kd`` and ``feat_imit`` also work with ``ATSSHead`` (same
    ``get_targets`` layout). Teacher and student must share ``reg_max``,
    strides and anchors (checked at build time).

    Args:
        ld: loss for the box-edge distributions on the **main region** (the
            student assigner's positives), e.g.
            ``dict(type='kdbench.DistributionKLLoss', tau=10,
            loss_weight=0.25)``; rows are the 4 edges of each positive,
            weighted by the student's max class score (detached), divided
            by ``avg_factor=4`` (mmdet's ``LDHead``).
        ld_vlr: ``dict(loss=..., alpha=0.25, topk=9)``: the same loss on the
            valuable localization region (DIoU in [α·t_pos, t_pos)), rows
            weighted by the IoU with the matched box, ``avg_factor=16``.
        cls_kd: loss on the classification logits of the main region
            (HikariTJU's KD: softmax KL over the classes, e.g. τ = 2, weight
            10), averaged over each FPN level's main-region locations (all
            images) and summed over the levels, as HikariTJU's ``LDHead``
            computes it level by level.
        feat_imit: ``dict(loss=dict(type='kdbench.HintLoss', ...),
            mask='gt_boxes' | 'main_region' | 'all', levels=None)``: the
            hint loss on neck (FPN) outputs, restricted to the mask; summed
            over ``levels`` (default all).
        Other arguments: see :class:`SingleTeacherDistiller` (tap-based
        ``distill_losses`` work here too).
    """

    def __init__(self, *args, ld: Optional[dict] = None,
                 ld_vlr: Optional[dict] = None,
                 cls_kd: Optional[dict] = None,
                 feat_imit: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        s_head = require_attr(self.student, 'bbox_head', 'student',
                              'dense distillation needs a one-stage '
                              'detector (GFL, ATSS, ...)')
        t_head = require_attr(self.teacher, 'bbox_head', 'teacher',
                              'dense distillation needs a one-stage '
                              'detector (GFL, ATSS, ...)')
        self.ld = MODELS.build(ld) if ld else None
        self.ld_vlr = None
        if ld_vlr:
            ld_vlr = copy.deepcopy(dict(ld_vlr))
            self.ld_vlr = MODELS.build(ld_vlr.pop('loss'))
            self.vlr_alpha = float(ld_vlr.pop('alpha', 0.25))
            self.vlr_topk = int(ld_vlr.pop('topk', 9))
            self.vlr_avg_factor = float(ld_vlr.pop('avg_factor', 16.0))
            if ld_vlr:
                raise DistillerConfigError(
                    f'ld_vlr: unknown keys {sorted(ld_vlr)}; expected loss, '
                    f'alpha, topk, avg_factor.')
        self.cls_kd = MODELS.build(cls_kd) if cls_kd else None
        self.feat_imit = None
        if feat_imit:
            feat_imit = copy.deepcopy(dict(feat_imit))
            self.feat_imit = MODELS.build(feat_imit.pop('loss'))
            self.feat_imit_mask = feat_imit.pop('mask', 'gt_boxes')
            self.feat_imit_levels = feat_imit.pop('levels', None)
            if self.feat_imit_mask not in FEAT_IMIT_MASKS:
                raise DistillerConfigError(
                    f'feat_imit.mask must be one of {FEAT_IMIT_MASKS}, got '
                    f'{self.feat_imit_mask!r}.')
            if feat_imit:
                raise DistillerConfigError(
                    f'feat_imit: unknown keys {sorted(feat_imit)}; expected '
                    f'loss, mask, levels.')
        if self.ld is not None or self.ld_vlr is not None:
            s_max = require_attr(s_head, 'reg_max', 'student head',
                                 'LD distills box-bin distributions '
                                 '(use a GFL head)')
            t_max = require_attr(t_head, 'reg_max', 'teacher head',
                                 'LD distills box-bin distributions '
                                 '(use a GFL head)')
            if s_max != t_max:
                raise DistillerConfigError(
                    f'LD: student reg_max {s_max} != teacher reg_max '
                    f'{t_max}; the bins must mean the same distances. Set '
                    f'the student head\'s reg_max={t_max}.')
        if self.cls_kd is not None and \
                s_head.cls_out_channels != t_head.cls_out_channels:
            raise DistillerConfigError(
                f'cls_kd: student head has {s_head.cls_out_channels} class '
                f'outputs, teacher head {t_head.cls_out_channels}; both '
                f'must be trained on the same classes.')
        if any(x is not None for x in
               (self.ld, self.ld_vlr, self.cls_kd, self.feat_imit)):
            check_same_priors(s_head, t_head, type(self).__name__)

    # ------------------------------------------------------------ forward
    def loss_context(self, inputs, data_samples) -> dict:
        """``gt_instances`` and ``img_metas`` for the losses that name
        them (kdbench.distillers.loss_context)."""
        return detection_loss_context(self.context_wanted, data_samples)

    def loss(self, inputs: torch.Tensor,
             data_samples: list) -> Dict[str, torch.Tensor]:
        head = self.student.bbox_head
        gts, ignores, metas = unpack_gt_instances(data_samples)
        with self.teacher_recorder.recording(), \
                self.student_recorder.recording():
            with self.teacher_context():
                t_feats = self.teacher.extract_feat(inputs)
                t_cls, t_reg = self.teacher.bbox_head(t_feats)[:2]
            s_feats = self.student.extract_feat(inputs)
            s_outs = head(s_feats)
            with record_calls(head, 'get_targets') as targets:
                head_losses = head.loss_by_feat(*s_outs, gts, metas, ignores)
            losses = self.student_losses(head_losses)
            losses.update(self.compute_distill_losses(
                **self.loss_context(inputs, data_samples)))
        s_cls, s_reg = s_outs[:2]
        anchors_list, labels_list = targets.result[:2]
        labels = torch.cat(labels_list, 1)  # (B, N)
        main = (labels >= 0) & (labels < head.num_classes)
        if self.ld is not None or self.ld_vlr is not None:
            bins = head.reg_max + 1
            s_dist = flatten_levels(s_reg, 4 * bins)
            t_dist = flatten_levels(t_reg, 4 * bins)
        if self.ld is not None or self.cls_kd is not None:
            s_logits = flatten_levels(s_cls, head.cls_out_channels)
        if self.ld is not None:
            weight = s_logits[main].detach().sigmoid().max(1).values
            losses['distill.loss_ld'] = self.ld(
                s_dist[main].reshape(-1, bins),
                t_dist[main].reshape(-1, bins),
                weight=weight.repeat_interleave(4), avg_factor=4.0)
        if self.ld_vlr is not None:
            anchors = torch.cat(anchors_list, 1)  # (B, N, 4)
            level_counts = [a.shape[1] for a in anchors_list]
            masks, weights = zip(*(valuable_localization_region(
                anchors[i], level_counts, gt.bboxes, self.vlr_alpha,
                self.vlr_topk) for i, gt in enumerate(gts)))
            vlr = torch.stack(masks)
            weight = torch.stack(weights)[vlr]
            losses['distill.loss_ld_vlr'] = self.ld_vlr(
                s_dist[vlr].reshape(-1, bins), t_dist[vlr].reshape(-1, bins),
                weight=weight.repeat_interleave(4),
                avg_factor=self.vlr_avg_factor)
        if self.cls_kd is not None:
            t_logits = flatten_levels(t_cls, head.cls_out_channels)
            losses['distill.loss_cls_kd'] = self._class_kd(
                s_logits, t_logits, main, level_starts(anchors_list))
        if self.feat_imit is not None:
            losses['distill.loss_feat_imit'] = self._feature_imitation(
                s_feats, t_feats, anchors_list, main, gts, head)
        return losses

    def _class_kd(self, s_logits, t_logits, main, starts) -> torch.Tensor:
        """HikariTJU's class KD: per level, the loss averaged over that
        level's main-region locations; summed over the levels (a level
        without positives adds 0)."""
        total = s_logits.sum() * 0  # a gradient path when nothing is main
        for begin, end in zip(starts[:-1], starts[1:]):
            region = main[:, begin:end]
            count = int(region.sum())
            if count:
                total = total + self.cls_kd(
                    s_logits[:, begin:end][region],
                    t_logits[:, begin:end][region], avg_factor=count)
        return total

    def _feature_imitation(self, s_feats, t_feats, anchors_list, main, gts,
                           head) -> torch.Tensor:
        levels = self.feat_imit_levels
        if levels is None:
            levels = range(len(s_feats))
        per_location = head.num_base_priors if hasattr(
            head, 'num_base_priors') else 1
        region = None
        if self.feat_imit_mask == 'gt_boxes':
            anchors = torch.cat(anchors_list, 1)
            region = torch.stack([centres_inside_boxes(anchors[i], gt.bboxes)
                                  for i, gt in enumerate(gts)])
        elif self.feat_imit_mask == 'main_region':
            region = main
        starts = level_starts(anchors_list)
        total = 0.0
        for level in levels:
            s, t = s_feats[level], t_feats[level]
            if s.shape != t.shape:
                raise ShapeMismatchError(
                    f'feat_imit: neck level {level} gives student '
                    f'{tuple(s.shape)} and teacher {tuple(t.shape)}; use '
                    f'necks with equal out_channels and levels.')
            mask = None
            if region is not None:
                n, _, h, w = s.shape
                mask = region[:, starts[level]:starts[level + 1]].reshape(
                    n, h, w, per_location).any(-1)
            total = total + self.feat_imit(s, t, mask=mask)
        return total
