"""Detection distillers: parity with mmdet's LD detector, the regions, the
Chen et al. glue (which RoIs, which anchors, μ), and the error paths."""
import copy

import pytest
import torch

import kdbench  # noqa: F401
import kdbench.det  # noqa: F401
from kdbench.det import (ChenDistiller, DenseHeadDistiller, atss_thresholds,
                         centres_inside_boxes, diou,
                         valuable_localization_region)
from kdbench.distillers import DistillerConfigError
from kdbench.recorders import record_calls
from det_helpers import (FRCNN_STUDENT, FRCNN_TEACHER, GFL_STUDENT,
                         GFL_TEACHER, det_batch, offline_pretrained,
                         random_weights)

LD = dict(type='kdbench.DistributionKLLoss', tau=10.0, loss_weight=0.25)


@pytest.fixture(scope='module')
def frcnn_ckpt(tmp_path_factory):
    return random_weights(FRCNN_TEACHER, str(
        tmp_path_factory.mktemp('frcnn') / 'weights.pth'))


def _dense(ckpt, **kwargs):
    torch.manual_seed(1)
    model = DenseHeadDistiller(student=offline_pretrained(GFL_STUDENT),
                               teacher=GFL_TEACHER, teacher_checkpoint=ckpt,
                               **kwargs)
    model.init_weights()
    return model.train()


# ------------------------------------------------------------- LD parity
def test_ld_equals_mmdet_knowledge_distillation_detector(random_gfl_teacher):
    """Same student weights, teacher and batch: our `ld` gives mmdet's
    LDHead losses (its KnowledgeDistillationKLDivLoss on the same rows)."""
    from mmengine.config import Config, ConfigDict
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmengine.registry import DefaultScope
    ours = _dense(random_gfl_teacher, ld=LD)
    cfg = Config.fromfile(GFL_STUDENT).model.to_dict()
    cfg.update(type='KnowledgeDistillationSingleStageDetector',
               teacher_config=GFL_TEACHER, teacher_ckpt=random_gfl_teacher)
    cfg['bbox_head'].update(type='LDHead', loss_ld=dict(
        type='KnowledgeDistillationKLDivLoss', loss_weight=0.25, T=10))
    with DefaultScope.overwrite_default_scope('mmdet'):
        theirs = MMDET_MODELS.build(ConfigDict(cfg))
    missing, unexpected = theirs.load_state_dict(
        ours.student.state_dict(), strict=False)
    assert not unexpected
    assert all(k.startswith('teacher_model.') for k in missing)
    theirs.train()
    inputs, samples = det_batch()
    got = ours.loss(inputs, copy.deepcopy(samples))
    want = theirs.loss(inputs, copy.deepcopy(samples))
    # (GIoU and DFL are GFLHead's own; mmdet's LDHead normalises them
    # without GFLHead's clamp(min=1), so they differ while the summed
    # score weights are < 1, as for this untrained student)
    for ours_key, their_key in (('distill.loss_ld', 'loss_ld'),
                                ('student.loss_cls', 'loss_cls')):
        a, b = got[ours_key], want[their_key]
        a = sum(a) if isinstance(a, list) else a
        b = sum(b) if isinstance(b, list) else b
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-6), \
            (ours_key, a, b)
    assert got['distill.loss_ld'].item() > 0


def test_dense_teacher_runs_once_under_no_grad(random_gfl_teacher):
    model = _dense(random_gfl_teacher, ld=LD, cls_kd=dict(
        type='kdbench.DistributionKLLoss', tau=2.0, loss_weight=10.0),
        feat_imit=dict(loss=dict(type='kdbench.HintLoss'), mask='all'))
    calls = []
    hooks = [m.register_forward_hook(
        lambda mod, i, o, name=name: calls.append(
            (name, torch.is_grad_enabled())))
        for name, m in (('backbone', model.teacher.backbone),
                        ('head', model.teacher.bbox_head))]
    losses = model.loss(*det_batch())
    for h in hooks:
        h.remove()
    assert calls == [('backbone', False), ('head', False)]
    assert not model.teacher.training
    total = sum(v for k, v in losses.items() if 'loss' in k
                and not isinstance(v, list))
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())


def test_feat_imit_whole_map_is_hint_loss_per_level(random_gfl_teacher):
    from kdbench.losses import HintLoss
    model = _dense(random_gfl_teacher, feat_imit=dict(
        loss=dict(type='kdbench.HintLoss', loss_weight=2.0,
                  reduction='mean'), mask='all'))
    inputs, samples = det_batch()
    with torch.no_grad():
        got = model.loss(inputs, samples)['distill.loss_feat_imit']
        s_feats = model.student.extract_feat(inputs)
        t_feats = model.teacher.extract_feat(inputs)
    expected = sum(HintLoss(loss_weight=2.0, reduction='mean')(s, t)
                   for s, t in zip(s_feats, t_feats))
    assert torch.allclose(got, expected, rtol=1e-5)
    for mask in ('gt_boxes', 'main_region'):
        model = _dense(random_gfl_teacher, feat_imit=dict(
            loss=dict(type='kdbench.HintLoss'), mask=mask))
        value = model.loss(inputs, samples)['distill.loss_feat_imit']
        assert torch.isfinite(value) and value.item() > 0


def test_ld_vlr_and_cls_kd_terms(random_gfl_teacher):
    model = _dense(random_gfl_teacher, ld=LD, ld_vlr=dict(loss=LD, alpha=0.25),
                   cls_kd=dict(type='kdbench.DistributionKLLoss', tau=2.0,
                               loss_weight=10.0))
    losses = model.loss(*det_batch())
    for key in ('distill.loss_ld', 'distill.loss_ld_vlr',
                'distill.loss_cls_kd'):
        assert torch.isfinite(losses[key]) and losses[key].item() > 0, key


def test_class_kd_is_a_per_level_mean_summed_over_levels(
        random_gfl_teacher):
    """HikariTJU's LDHead computes the class KD level by level: the
    τ²-scaled KL averaged over the K classes, averaged over the level's
    positive locations (all images), then summed over levels. Computed
    here from the head outputs and mmdet's own targets."""
    import torch.nn.functional as F
    tau, weight = 2.0, 1.25
    model = _dense(random_gfl_teacher, cls_kd=dict(
        type='kdbench.DistributionKLLoss', tau=tau, loss_weight=weight))
    inputs, samples = det_batch(n=3, seed=4)
    head = model.student.bbox_head
    with torch.no_grad(), record_calls(head, 'get_targets') as targets:
        got = model.loss(inputs, samples)['distill.loss_cls_kd']
        s_cls = head(model.student.extract_feat(inputs))[0]
        t_cls = model.teacher.bbox_head(model.teacher.extract_feat(inputs))[0]
    labels_list = targets.result[1]
    expected, levels_with_positives = 0.0, 0
    for s, t, labels in zip(s_cls, t_cls, labels_list):
        k = s.shape[1]
        s = s.permute(0, 2, 3, 1).reshape(-1, k).double()
        t = t.permute(0, 2, 3, 1).reshape(-1, k).double()
        positive = (labels.reshape(-1) >= 0) & (labels.reshape(-1) < k)
        if not positive.any():
            continue
        levels_with_positives += 1
        p_t = F.softmax(t[positive] / tau, 1)
        log_p_s = F.log_softmax(s[positive] / tau, 1)
        kl = (p_t * (p_t.log() - log_p_s)).sum(1) / k * tau ** 2
        expected += weight * kl.mean()
    assert levels_with_positives >= 2  # the per-level mean matters
    assert got.item() == pytest.approx(float(expected), rel=1e-5)
    # the earlier normalisation (one mean over all positives) differs
    all_at_once = []
    for s, t, labels in zip(s_cls, t_cls, labels_list):
        k = s.shape[1]
        positive = (labels.reshape(-1) >= 0) & (labels.reshape(-1) < k)
        all_at_once.append((s.permute(0, 2, 3, 1).reshape(-1, k)[positive],
                            t.permute(0, 2, 3, 1).reshape(-1, k)[positive]))
    pooled = model.cls_kd(torch.cat([a for a, _ in all_at_once]),
                          torch.cat([b for _, b in all_at_once]))
    assert abs(pooled.item() - got.item()) > 1e-3 * got.item()


# ---------------------------------------------------------------- regions
def test_diou_by_hand():
    box = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    gt = torch.tensor([[1.0, 0.0, 3.0, 2.0]])
    # IoU = 2 / 6; centres (1,1) and (2,1): ρ² = 1; enclosing 3x2: c² = 13
    assert diou(box, gt).item() == pytest.approx(2 / 6 - 1 / 13, rel=1e-6)


def test_atss_threshold_reproduces_mmdet_atss_positives():
    """The per-box t_pos: candidates with IoU >= t_pos and centre inside
    the box are exactly mmdet ATSSAssigner's positives."""
    from mmdet.models.task_modules import ATSSAssigner
    from mmdet.models.task_modules.prior_generators import AnchorGenerator
    from mmengine.structures import InstanceData
    gen = AnchorGenerator(strides=[8, 16, 32], ratios=[1.0],
                          octave_base_scale=4, scales_per_octave=1)
    levels = gen.grid_priors([(16, 16), (8, 8), (4, 4)], device='cpu')
    anchors = torch.cat(levels)
    counts = [len(a) for a in levels]
    gts = torch.tensor([[10.0, 12, 50, 60], [60, 30, 120, 90],
                        [30, 70, 52, 94]])
    assign = ATSSAssigner(topk=9).assign(
        InstanceData(priors=anchors), counts,
        InstanceData(bboxes=gts, labels=torch.zeros(3, dtype=torch.long)))
    t_pos = atss_thresholds(anchors, counts, gts, topk=9)
    from mmdet.structures.bbox import bbox_overlaps
    iou = bbox_overlaps(anchors, gts)
    inside = torch.stack([centres_inside_boxes(anchors, g[None])
                          for g in gts], 1)
    # rebuild the candidates: top-9 closest centres per level
    ca = (anchors[:, :2] + anchors[:, 2:]) / 2
    cg = (gts[:, :2] + gts[:, 2:]) / 2
    dist = torch.cdist(ca, cg)
    cand = torch.zeros_like(iou, dtype=torch.bool)
    start = 0
    for c in counts:
        idx = dist[start:start + c].topk(9, 0, largest=False).indices + start
        cand.scatter_(0, idx, True)
        start += c
    positive = cand & (iou >= t_pos[None]) & inside
    for j in range(3):
        ours = set(torch.nonzero(positive[:, j])[:, 0].tolist())
        theirs = set(torch.nonzero(assign.gt_inds == j + 1)[:, 0].tolist())
        # an anchor positive for two boxes goes to the higher-IoU one
        assert theirs <= ours and len(theirs) > 0, (j, ours, theirs)


def test_valuable_localization_region_band_and_weight():
    gts = torch.tensor([[0.0, 0.0, 40.0, 40.0]])
    # the box itself, shifted right by 10 / 20 / 30 px, two far away:
    # IoU 1, 0.6, 1/3, 1/7, 0, 0 -> t_pos = mean + std ~ 0.74
    anchors = torch.tensor([[0.0, 0.0, 40.0, 40.0], [10.0, 0, 50, 40],
                            [20.0, 0, 60, 40], [30.0, 0, 70, 40],
                            [200.0, 200, 240, 240], [300.0, 0, 340, 40]])
    mask, weight = valuable_localization_region(anchors, [6], gts,
                                                alpha=0.25, topk=9)
    ious = torch.tensor([1, 0.6, 1 / 3, 1 / 7, 0, 0])
    t_pos = ious.mean() + ious.std()
    assert atss_thresholds(anchors, [6], gts).item() == \
        pytest.approx(t_pos.item(), rel=1e-5)
    # DIoU = IoU - ρ²/c²: 1, 0.6 - 100/4100, 1/3 - 400/5200, ~0.005, <0
    assert mask.tolist() == [False, True, True, False, False, False]
    assert weight.tolist() == pytest.approx([0, 0.6, 1 / 3, 0, 0, 0],
                                            rel=1e-5)
    empty, w = valuable_localization_region(anchors, [3],
                                            torch.zeros(0, 4))
    assert not empty.any() and w.sum() == 0


# --------------------------------------------------------- error paths
def test_dense_errors(random_gfl_teacher, tmp_path):
    with pytest.raises(DistillerConfigError, match='reg_max 8 != teacher '
                       'reg_max 7'):
        DenseHeadDistiller(
            student=dict(_base_student(), bbox_head=dict(
                _base_student()['bbox_head'], reg_max=8)),
            teacher=GFL_TEACHER, teacher_checkpoint=random_gfl_teacher, ld=LD)
    with pytest.raises(DistillerConfigError, match=r'strides \[\(8, 8\), '
                       r'\(16, 16\), \(64, 64\)\] vs \[\(8, 8\)'):
        student = _base_student()
        student['bbox_head']['anchor_generator']['strides'] = [8, 16, 64]
        DenseHeadDistiller(student=student, teacher=GFL_TEACHER,
                           teacher_checkpoint=random_gfl_teacher, ld=LD)
    with pytest.raises(DistillerConfigError, match="feat_imit.mask must be"):
        DenseHeadDistiller(student=GFL_STUDENT, teacher=GFL_TEACHER,
                           teacher_checkpoint=random_gfl_teacher,
                           feat_imit=dict(loss=dict(type='kdbench.HintLoss'),
                                          mask='boxes'))
    with pytest.raises(DistillerConfigError, match='one-stage detector'):
        DenseHeadDistiller(student=FRCNN_STUDENT, teacher=GFL_TEACHER,
                           teacher_checkpoint=random_gfl_teacher, ld=LD)


def _base_student():
    from mmengine.config import Config
    return Config.fromfile(GFL_STUDENT).model.to_dict()


# -------------------------------------------------------------- Chen
CHEN = dict(
    cls=dict(mu=0.5,
             rpn=dict(type='kdbench.WeightedSoftBCELoss'),
             rcn=dict(type='kdbench.WeightedSoftCELoss')),
    reg=dict(rpn=dict(type='kdbench.TeacherBoundedL2Loss', loss_weight=0.5),
             rcn=dict(type='kdbench.TeacherBoundedL2Loss', loss_weight=0.5)))


def _chen(ckpt, **kwargs):
    torch.manual_seed(1)
    model = ChenDistiller(student=offline_pretrained(FRCNN_STUDENT),
                          teacher=FRCNN_TEACHER, teacher_checkpoint=ckpt,
                          **kwargs)
    model.init_weights()
    return model.train()


def test_chen_teacher_sees_student_rois_and_anchors(frcnn_ckpt):
    from kdbench.losses import WeightedSoftCELoss
    model = _chen(frcnn_ckpt, **CHEN)
    inputs, samples = det_batch()
    with record_calls(model.student.roi_head, '_bbox_forward') as s_fwd, \
            record_calls(model.teacher.roi_head, '_bbox_forward') as t_fwd:
        losses = model.loss(inputs, samples)
    (_, s_rois), _, s_out = s_fwd.last()
    (_, t_rois), _, t_out = t_fwd.last()
    assert len(s_fwd.calls) == len(t_fwd.calls) == 1
    assert t_rois is s_rois  # the very sampled RoIs, not the teacher's own
    # the RCN soft term is (1 - μ) · weighted soft CE over all sampled RoIs
    expected = 0.5 * WeightedSoftCELoss()(s_out['cls_score'],
                                          t_out['cls_score'])
    assert torch.allclose(losses['distill.loss_rcn_cls'], expected)
    for key in ('distill.loss_rpn_cls', 'distill.loss_rpn_reg',
                'distill.loss_rcn_reg'):
        assert torch.isfinite(losses[key]), key
    assert losses['distill.loss_rpn_cls'].item() > 0


def test_chen_mu_scales_the_hard_classification_losses(frcnn_ckpt):
    inputs, samples = det_batch()
    plain = _chen(frcnn_ckpt)
    torch.manual_seed(5)
    hard = plain.loss(inputs, copy.deepcopy(samples))
    mixed = _chen(frcnn_ckpt, cls=dict(CHEN['cls'], mu=0.25))
    torch.manual_seed(5)  # same RPN / RoI sampling
    soft = mixed.loss(inputs, copy.deepcopy(samples))
    def total(value):  # the RPN reports one loss per level
        return sum(value) if isinstance(value, list) else value
    for key in ('student.loss_rpn_cls', 'student.loss_cls'):
        assert torch.allclose(total(soft[key]), 0.25 * total(hard[key]),
                              rtol=1e-5), key
    assert torch.allclose(soft['student.loss_bbox'],
                          hard['student.loss_bbox'], rtol=1e-5)
    assert 'distill.loss_rcn_cls' not in hard


def test_chen_errors(frcnn_ckpt, random_gfl_teacher):
    with pytest.raises(DistillerConfigError, match='two-stage detector'):
        ChenDistiller(student=GFL_STUDENT, teacher=GFL_TEACHER,
                      teacher_checkpoint=random_gfl_teacher, **CHEN)
    from mmengine.config import Config
    student = Config.fromfile(FRCNN_STUDENT).model.to_dict()
    student['roi_head']['bbox_head']['bbox_coder']['target_stds'] = [
        1.0, 1.0, 1.0, 1.0]
    with pytest.raises(DistillerConfigError, match='box coders differ'):
        ChenDistiller(student=student, teacher=FRCNN_TEACHER,
                      teacher_checkpoint=frcnn_ckpt, **CHEN)
    cascade = Config.fromfile(FRCNN_STUDENT).model.to_dict()
    cascade['roi_head'] = dict(
        type='CascadeRoIHead', num_stages=2, stage_loss_weights=[1, 0.5],
        bbox_roi_extractor=cascade['roi_head']['bbox_roi_extractor'],
        bbox_head=[cascade['roi_head']['bbox_head']] * 2)
    cascade['train_cfg']['rcnn'] = [cascade['train_cfg']['rcnn']] * 2
    cascade['type'] = 'mmdet.CascadeRCNN'
    with pytest.raises(DistillerConfigError, match='not cascades'):
        ChenDistiller(student=cascade, teacher=FRCNN_TEACHER,
                      teacher_checkpoint=frcnn_ckpt, **CHEN)
    with pytest.raises(DistillerConfigError, match=r'cls.mu must be in'):
        ChenDistiller(student=FRCNN_STUDENT, teacher=FRCNN_TEACHER,
                      teacher_checkpoint=frcnn_ckpt,
                      cls=dict(CHEN['cls'], mu=1.5))


# ----------------------------------------------------------- recorder
def test_record_calls_restores_and_reports_missing_call():
    class Head(torch.nn.Module):
        def get_targets(self, x):
            return x * 2
    head = Head()
    with record_calls(head, 'get_targets') as rec:
        assert head.get_targets(3) == 6
    assert rec.result == 6 and rec.last()[0] == (3, )
    assert 'get_targets' not in vars(head)
    with record_calls(head, 'get_targets') as rec:
        pass
    with pytest.raises(RuntimeError, match='Head.get_targets was not '
                       'called'):
        rec.result


def _atss(base_cfg: str) -> dict:
    from mmengine.config import Config
    model = Config.fromfile(base_cfg).model.to_dict()
    model['type'] = 'mmdet.ATSS'
    head = model['bbox_head']
    model['bbox_head'] = dict(
        type='ATSSHead', num_classes=10, in_channels=head['in_channels'],
        stacked_convs=2, feat_channels=head['feat_channels'],
        anchor_generator=head['anchor_generator'],
        bbox_coder=dict(type='DeltaXYWHBBoxCoder',
                        target_means=[.0, .0, .0, .0],
                        target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                      alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.0))
    return model


def test_cls_kd_and_feat_imit_work_on_atss_but_ld_needs_gfl(tmp_path):
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    teacher_cfg = _atss(GFL_TEACHER)
    teacher = build_model(teacher_cfg, 'teacher')
    ckpt = str(tmp_path / 'atss.pth')
    save_weights(teacher.state_dict(), ckpt)
    model = DenseHeadDistiller(
        student=offline_pretrained(_atss(GFL_STUDENT)), teacher=teacher_cfg,
        teacher_checkpoint=ckpt,
        cls_kd=dict(type='kdbench.DistributionKLLoss', tau=2.0),
        feat_imit=dict(loss=dict(type='kdbench.HintLoss'),
                       mask='main_region'))
    model.init_weights()
    losses = model.train().loss(*det_batch())
    for key in ('distill.loss_cls_kd', 'distill.loss_feat_imit',
                'student.loss_centerness'):
        assert key in losses
    assert torch.isfinite(losses['distill.loss_cls_kd'])
    with pytest.raises(DistillerConfigError, match="no 'reg_max'.*GFL"):
        DenseHeadDistiller(student=_atss(GFL_STUDENT), teacher=teacher_cfg,
                           teacher_checkpoint=ckpt, ld=LD)
