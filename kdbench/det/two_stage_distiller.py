"""Chen et al. 2017's distillation of two-stage detectors (mmdet Faster
R-CNN and relatives with an RPN and a bbox RoI head)."""
import copy
from typing import Dict, Optional, Tuple

import torch
from torch import nn
from mmdet.models.utils import unpack_gt_instances

from kdbench.distillers.single_teacher import (DistillerConfigError,
                                               SingleTeacherDistiller,
                                               _scale)
from kdbench.recorders import record_calls
from kdbench.registry import MODELS
from .utils import (check_same_priors, detection_loss_context,
                    flatten_levels, require_attr)


def _coder_key(coder) -> Tuple:
    return (type(coder).__name__, tuple(getattr(coder, 'means', ())),
            tuple(getattr(coder, 'stds', ())))


@MODELS.register_module()
class ChenDistiller(SingleTeacherDistiller):
    """Chen, Choi, Yu, Han, Chandraker, "Learning Efficient Object Detection
    Models with Knowledge Distillation", NeurIPS 2017 (METHODS §3.1):
    L = L_RPN + L_RCN + γ·L_Hint, each of RPN and RCN with

    * classification: μ·L_hard + (1 − μ)·L_soft, L_soft the background-
      weighted soft cross-entropy against the teacher (``cls``);
    * regression: L_hard + ν·L_b, L_b the teacher-bounded L2 on encoded
      deltas (``reg``).

    **Where the teacher looks.** The teacher's RPN runs on its own features
    at the student's anchors (the priors must be identical, checked at
    build time); the teacher's RoI head runs on the student's **sampled
    RoIs** (recorded from the student's ``roi_head._bbox_forward``) over the
    teacher's own features. The targets y come from the student's own
    target computation (recorded from ``get_targets`` and
    ``loss_and_target``): nothing is assigned or sampled twice. Teacher and
    student box coders must have equal means and stds (checked).

    **Which anchors / RoIs.** RPN soft classification: the anchors the RPN
    sampler kept (label weight > 0), normalised as the hard RPN loss; RPN
    bounded regression: its positive anchors. RCN soft classification: all
    sampled RoIs; RCN bounded regression: positive RoIs, deltas of their
    ground-truth class, divided by the number of sampled RoIs (as mmdet's
    RCN box loss).

    **Sigmoid RPN.** mmdet's RPN scores objectness with a sigmoid; the
    soft loss is then binary (``kdbench.WeightedSoftBCELoss``), w₀ on the
    background term (METHODS calls this a judgement call).

    Supported: detectors with an RPN and a ``StandardRoIHead``-like RoI
    head with one bbox head (Faster R-CNN, Mask R-CNN's box branch); not
    cascades.

    Args:
        cls: ``dict(mu=0.5, rpn=<loss cfg>, rcn=<loss cfg>)`` or None to
            switch the classification term off (hard losses unscaled).
        reg: ``dict(rpn=<loss cfg>, rcn=<loss cfg>)`` (each a
            ``kdbench.TeacherBoundedL2Loss`` with ``margin`` and
            ``loss_weight`` = ν) or None to switch it off.
        distill_losses: tap-based terms, used for the hint (a
            ``kdbench.HintLoss`` with a ``kdbench.ConvAdapter``); empty to
            switch the hint off.
        Other arguments: see :class:`SingleTeacherDistiller`.
    """

    def __init__(self, *args, cls: Optional[dict] = None,
                 reg: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        for role, model in (('student', self.student),
                            ('teacher', self.teacher)):
            for attr in ('rpn_head', 'roi_head'):
                require_attr(model, attr, role,
                             'ChenDistiller needs a two-stage detector '
                             '(e.g. mmdet FasterRCNN)')
        self.mu = 1.0
        self.rpn_cls = self.rcn_cls = self.rpn_reg = self.rcn_reg = None
        if cls:
            cls = copy.deepcopy(dict(cls))
            self.mu = float(cls.pop('mu', 0.5))
            if not 0.0 <= self.mu <= 1.0:
                raise DistillerConfigError(f'cls.mu must be in [0, 1], got '
                                           f'{self.mu}.')
            self.rpn_cls = MODELS.build(cls.pop('rpn')) \
                if cls.get('rpn') else None
            self.rcn_cls = MODELS.build(cls.pop('rcn')) \
                if cls.get('rcn') else None
            _no_extra_keys('cls', cls, 'mu, rpn, rcn')
        if reg:
            reg = copy.deepcopy(dict(reg))
            self.rpn_reg = MODELS.build(reg.pop('rpn')) \
                if reg.get('rpn') else None
            self.rcn_reg = MODELS.build(reg.pop('rcn')) \
                if reg.get('rcn') else None
            _no_extra_keys('reg', reg, 'rpn, rcn')
        self._check_heads()

    def _check_heads(self) -> None:
        s, t = self.student, self.teacher
        for role, model in (('student', s), ('teacher', t)):
            box_head = getattr(model.roi_head, 'bbox_head', None)
            if not isinstance(box_head, nn.Module) or \
                    isinstance(box_head, nn.ModuleList):
                raise DistillerConfigError(
                    f'ChenDistiller: the {role}\'s RoI head '
                    f'({type(model.roi_head).__name__}) has no single bbox '
                    f'head; supported are single-stage RoI heads such as '
                    f'StandardRoIHead (Faster R-CNN, Mask R-CNN), not '
                    f'cascades.')
        if self.rpn_cls is not None or self.rpn_reg is not None:
            check_same_priors(s.rpn_head, t.rpn_head, 'ChenDistiller (RPN)')
        s_box, t_box = s.roi_head.bbox_head, t.roi_head.bbox_head
        if self.rcn_cls is not None or self.rcn_reg is not None:
            if s_box.num_classes != t_box.num_classes:
                raise DistillerConfigError(
                    f'ChenDistiller: student RoI head has {s_box.num_classes}'
                    f' classes, teacher {t_box.num_classes}.')
        pairs = [('rpn_head', s.rpn_head, t.rpn_head, self.rpn_reg),
                 ('roi_head.bbox_head', s_box, t_box, self.rcn_reg)]
        for name, s_head, t_head, loss in pairs:
            if loss is None:
                continue
            s_key = _coder_key(s_head.bbox_coder)
            t_key = _coder_key(t_head.bbox_coder)
            if s_key != t_key:
                raise DistillerConfigError(
                    f'ChenDistiller: {name} box coders differ (student '
                    f'{s_key}, teacher {t_key}); bounded regression compares '
                    f'deltas encoded with identical means and stds.')
            if getattr(s_head, 'reg_decoded_bbox', False):
                raise DistillerConfigError(
                    f'ChenDistiller: {name} regresses decoded boxes '
                    f'(reg_decoded_bbox=True); the bounded L2 is defined on '
                    f'encoded deltas.')
        if self.rcn_reg is not None and \
                s_box.reg_class_agnostic != t_box.reg_class_agnostic:
            raise DistillerConfigError(
                'ChenDistiller: student and teacher RoI heads differ in '
                'reg_class_agnostic.')

    # ------------------------------------------------------------ forward
    def loss_context(self, inputs, data_samples) -> dict:
        """``gt_instances`` and ``img_metas`` for the losses that name
        them (kdbench.distillers.loss_context)."""
        return detection_loss_context(self.context_wanted, data_samples)

    def loss(self, inputs: torch.Tensor,
             data_samples: list) -> Dict[str, torch.Tensor]:
        s, t = self.student, self.teacher
        with self.teacher_recorder.recording(), \
                self.student_recorder.recording():
            with self.teacher_context():
                t_x = t.extract_feat(inputs)
            x = s.extract_feat(inputs)
            rpn_losses, proposals, rpn = self._rpn(x, data_samples)
            with record_calls(s.roi_head, '_bbox_forward') as forward, \
                    record_calls(s.roi_head.bbox_head,
                                 'loss_and_target') as targets:
                roi_losses = s.roi_head.loss(x, proposals, data_samples)
            losses = {**rpn_losses, **roi_losses}
            if self.rpn_cls is not None:
                losses['loss_rpn_cls'] = _scale(losses['loss_rpn_cls'],
                                                 self.mu)
            if self.rcn_cls is not None:
                losses['loss_cls'] = _scale(losses['loss_cls'], self.mu)
            losses = self.student_losses(losses)
            losses.update(self.compute_distill_losses(
                **self.loss_context(inputs, data_samples)))
        if self.rpn_cls is not None or self.rpn_reg is not None:
            with self.teacher_context():
                t_rpn = t.rpn_head(t_x)
            losses.update(self._rpn_distill(rpn, t_rpn))
        if self.rcn_cls is not None or self.rcn_reg is not None:
            losses.update(self._rcn_distill(t_x, forward, targets))
        return losses

    def _rpn(self, x, data_samples):
        """mmdet's TwoStageDetector RPN step (loss_and_predict), with the
        RPN outputs and targets kept for distillation."""
        s = self.student
        head = s.rpn_head
        proposal_cfg = s.train_cfg.get('rpn_proposal', s.test_cfg.rpn)
        rpn_samples = copy.deepcopy(data_samples)
        for sample in rpn_samples:  # one foreground class in the RPN
            sample.gt_instances.labels = torch.zeros_like(
                sample.gt_instances.labels)
        gts, ignores, metas = unpack_gt_instances(rpn_samples)
        outs = head(x)
        with record_calls(head, 'get_targets') as targets:
            raw = head.loss_by_feat(*outs, gts, metas,
                                    batch_gt_instances_ignore=ignores)
        proposals = head.predict_by_feat(*outs, batch_img_metas=metas,
                                         cfg=proposal_cfg)
        losses = {(f'rpn_{k}' if 'loss' in k and 'rpn' not in k else k): v
                  for k, v in raw.items()}
        return losses, proposals, (outs, targets.result)

    def _rpn_distill(self, rpn, t_outs) -> Dict[str, torch.Tensor]:
        (s_cls, s_reg), targets = rpn
        labels_list, label_weights_list, bbox_targets_list = targets[:3]
        avg_factor = targets[4]
        losses = {}
        if self.rpn_cls is not None:
            channels = self.student.rpn_head.cls_out_channels
            if channels != 1:
                raise DistillerConfigError(
                    'ChenDistiller: the RPN soft loss expects a sigmoid RPN '
                    f'(1 objectness channel), found {channels} channels.')
            sampled = torch.cat(label_weights_list, 1) > 0
            losses['distill.loss_rpn_cls'] = (1.0 - self.mu) * self.rpn_cls(
                flatten_levels(s_cls, 1)[sampled],
                flatten_levels(t_outs[0], 1)[sampled],
                avg_factor=avg_factor)
        if self.rpn_reg is not None:
            labels = torch.cat(labels_list, 1)
            head = self.student.rpn_head
            positive = (labels >= 0) & (labels < head.num_classes)
            deltas = torch.cat(bbox_targets_list, 1)
            losses['distill.loss_rpn_reg'] = self.rpn_reg(
                flatten_levels(s_reg, 4)[positive],
                flatten_levels(t_outs[1], 4)[positive],
                deltas[positive], avg_factor=avg_factor)
        return losses

    def _rcn_distill(self, t_x, forward, targets) -> Dict[str, torch.Tensor]:
        (_, rois), _, s_out = forward.last()
        labels, _, deltas, _ = targets.result['bbox_targets']
        with self.teacher_context():
            t_out = self.teacher.roi_head._bbox_forward(t_x, rois)
        losses = {}
        num_rois = max(rois.shape[0], 1)
        if self.rcn_cls is not None:
            losses['distill.loss_rcn_cls'] = (1.0 - self.mu) * self.rcn_cls(
                s_out['cls_score'], t_out['cls_score'], avg_factor=num_rois)
        if self.rcn_reg is not None:
            box_head = self.student.roi_head.bbox_head
            positive = (labels >= 0) & (labels < box_head.num_classes)
            s_pred = s_out['bbox_pred'][positive]
            t_pred = t_out['bbox_pred'][positive]
            if not box_head.reg_class_agnostic:
                cls = labels[positive]
                rows = torch.arange(cls.numel(), device=cls.device)
                s_pred = s_pred.view(cls.numel(), -1, 4)[rows, cls]
                t_pred = t_pred.view(cls.numel(), -1, 4)[rows, cls]
            losses['distill.loss_rcn_reg'] = self.rcn_reg(
                s_pred, t_pred, deltas[positive], avg_factor=num_rois)
        return losses


def _no_extra_keys(name: str, cfg: dict, expected: str) -> None:
    if cfg:
        raise DistillerConfigError(
            f'{name}: unknown keys {sorted(cfg)}; expected {expected}.')
