"""Detection configs: every method has its mini and full COCO / VOC
configs, each builds (teachers replaced by random weights of the right
architecture), and the Chen ablations switch off what they say."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
import kdbench.det  # noqa: F401
from kdbench.registry import MODELS
from conftest import REPO
from det_helpers import random_weights

DET = sorted(osp.relpath(p, REPO) for p in glob.glob(
    osp.join(REPO, 'configs', 'det', '*', '*.py')))
DATASETS = ('coco-mini', 'voc-mini', 'coco', 'voc0712')
METHOD_FILES = {'ld': 'ld/ld_gfl', 'ld_vlr': 'ld/ld-vlr_gfl',
                'feat_imit': 'feat_imit/feat-imit_gfl',
                'chen': 'chen/chen_faster-rcnn', 'cwd': 'cwd/cwd_gfl',
                'pkd': 'pkd/pkd_gfl', 'mgd': 'mgd/mgd_gfl'}
# feature distillers on the FPN levels through the generic taps
FPN_METHODS = {'cwd': 'CWDLoss', 'pkd': 'PKDLoss', 'mgd': 'MGDLoss'}


def test_every_detection_method_has_mini_and_full_configs():
    for method, prefix in METHOD_FILES.items():
        for dataset in DATASETS:
            found = [p for p in DET if p.startswith(f'configs/det/{prefix}')
                     and p.endswith(f'_{dataset}.py')]
            assert found, (method, dataset)
    for ablation in ('chen-cls', 'chen-reg', 'chen-hint'):
        for dataset in ('coco-mini', 'voc-mini'):
            assert any(osp.basename(p).startswith(ablation + '_') and
                       p.endswith(f'_{dataset}.py') for p in DET)


@pytest.fixture(scope='module')
def teacher_weights(tmp_path_factory):
    """Random weights per teacher model reference, made on demand."""
    cache = {}

    def get(ref):
        if ref not in cache:
            path = tmp_path_factory.mktemp('teacher') / 'weights.pth'
            cache[ref] = random_weights(ref, str(path), init=False)
        return cache[ref]
    return get


def _build(path, teacher_weights):
    cfg = Config.fromfile(osp.join(REPO, path))
    model = cfg.model.to_dict()
    if 'teacher' in model:
        model['teacher_checkpoint'] = teacher_weights(model['teacher'])
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return cfg, MODELS.build(ConfigDict(model))


@pytest.mark.parametrize('path', [p for p in DET if 'mini' in p])
def test_mini_detection_configs_build(path, teacher_weights):
    cfg, model = _build(path, teacher_weights)
    name = osp.basename(path)
    if 'teacher' not in cfg.model:
        return
    if name.split('_')[0] in FPN_METHODS:
        _check_fpn_distiller(name, model)
    elif name.startswith('chen'):
        on = dict(cls=model.rcn_cls is not None,
                  reg=model.rcn_reg is not None,
                  hint=bool(model.distill_losses))
        expected = {'chen_': dict(cls=True, reg=True, hint=True),
                    'chen-cls_': dict(cls=True, reg=False, hint=False),
                    'chen-reg_': dict(cls=False, reg=True, hint=False),
                    'chen-hint_': dict(cls=False, reg=False, hint=True)}
        prefix = name.split('_')[0] + '_'
        assert on == expected[prefix], name
        if on['cls']:
            assert model.mu == 0.5 and model.rcn_cls.background_weight == 1.5
    else:
        terms = dict(ld=model.ld is not None,
                     vlr=model.ld_vlr is not None,
                     cls_kd=model.cls_kd is not None,
                     feat_imit=model.feat_imit is not None)
        expected = {'ld_': dict(ld=True, vlr=False, cls_kd=False,
                                feat_imit=False),
                    'ld-vlr_': dict(ld=True, vlr=True, cls_kd=True,
                                    feat_imit=False),
                    'ld-vlr-no-cls-kd_': dict(ld=True, vlr=True,
                                              cls_kd=False, feat_imit=False),
                    'cls-kd_': dict(ld=False, vlr=False, cls_kd=True,
                                    feat_imit=False),
                    'feat-imit_': dict(ld=False, vlr=False, cls_kd=False,
                                       feat_imit=True)}
        assert terms == expected[name.split('_')[0] + '_'], name
        if terms['ld'] or terms['vlr']:
            # 8 bins sized to the mini objects; the weight keeps mmdet's
            # 0.25-at-17-bins strength per unit of summed KL
            assert model.student.bbox_head.reg_max == 7
            assert model.teacher.bbox_head.reg_max == 7
            assert model.ld.tau == 10
            assert model.ld.loss_weight == pytest.approx(0.25 * 8 / 17)
        if terms['vlr']:
            assert model.ld_vlr.tau == 10 and model.vlr_alpha == 0.25
            assert model.ld_vlr.loss_weight == pytest.approx(0.25 * 8 / 17)
        if terms['cls_kd']:
            # HikariTJU's weight 10 at COCO's 80 classes, rescaled to the
            # mini data's 10 (the KL is a mean over the classes)
            assert model.cls_kd.tau == 2
            assert model.cls_kd.loss_weight == pytest.approx(10 * 10 / 80)


def _check_fpn_distiller(name, model):
    """One loss per FPN level of the method's loss, every one finite on
    a batch, and the student's weights get a gradient."""
    from det_helpers import det_batch
    method = name.split('_')[0]
    levels = len(model.student.neck.fpn_convs)
    assert sorted(model.distill_losses) == [
        f'{method}_fpn{i}' for i in range(levels)]
    assert {type(m).__name__ for m in model.distill_losses.values()} == {
        FPN_METHODS[method]}
    if method == 'mgd':
        assert all(type(c[0]).__name__ == 'MGDGenerator'
                   for c in model.connectors.values())
    inputs, samples = det_batch()
    model.train()
    losses = model.loss(inputs, samples)
    distill = [v for k, v in losses.items() if k.startswith('distill.')]
    assert len(distill) == levels
    total = sum(distill)
    assert torch.isfinite(total) and total.item() > 0
    total.backward()
    assert model.student.neck.fpn_convs[0].conv.weight.grad is not None


@pytest.mark.parametrize('path', [p for p in DET if 'mini' not in p])
def test_full_detection_configs_build(path, teacher_weights):
    cfg, model = _build(path, teacher_weights)
    name = osp.basename(path)
    classes = 80 if name.endswith('_coco.py') else 20
    detector = model.student if 'teacher' in cfg.model else model
    head = getattr(detector, 'bbox_head', None) or \
        detector.roi_head.bbox_head
    assert head.num_classes == classes
    if 'teacher' in cfg.model:
        assert model.teacher.backbone.depth == 101
        depth = 18 if '_r18_' in name else 50
        assert model.student.backbone.depth == depth, name


def test_detection_suites_point_at_configs():
    for suite_path in glob.glob(osp.join(REPO, 'configs', 'benchmarks',
                                         'det_*.py')):
        suite = Config.fromfile(suite_path)
        assert suite.task == 'detection'
        assert osp.isfile(osp.join(REPO, suite.teacher.config))
        for config in suite.methods.values():
            assert osp.isfile(osp.join(REPO, config)), config
        assert suite.metric_scale == 100
        if 'gfl' in suite_path:
            assert list(suite.methods) == [
                'baseline', 'ld', 'ld_vlr', 'ld_vlr_no_cls_kd', 'cls_kd',
                'feat_imit', 'cwd', 'pkd', 'mgd']


@pytest.mark.parametrize('path', [p for p in DET if 'feat-imit' in p])
def test_feat_imit_runs_at_hikaritju_imloss_strength(path, teacher_weights):
    """HikariTJU's IMLoss is loss_weight 2.0 x F.mse_loss (no ½): every
    feat_imit config's loss must give 2.0 x the mean squared error."""
    import torch
    _, model = _build(path, teacher_weights)
    loss = model.feat_imit
    generator = torch.Generator().manual_seed(0)
    student, teacher = (torch.randn(2, 8, 5, 5, generator=generator)
                        for _ in range(2))
    expected = 2.0 * ((student - teacher) ** 2).mean()
    assert torch.allclose(loss(student, teacher), expected, rtol=1e-6)
