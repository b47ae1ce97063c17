"""Segmentation configs: every Structured KD variant has mini (PSPNet) and
full Cityscapes (PSPNet, DeepLabV3) configs, each builds (teachers replaced
by random weights of the right architecture) with the terms its method id
names, and the suite points at them."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
import kdbench.seg  # noqa: F401
from kdbench.compat import save_weights
from kdbench.distillers import build_model
from kdbench.registry import MODELS
from conftest import REPO
from pretrained_helpers import offline_pretrained

SEG = sorted(osp.relpath(p, REPO) for p in glob.glob(
    osp.join(REPO, 'configs', 'seg', '*', '*.py')))
SKD = [p for p in SEG if p.startswith('configs/seg/skd/')]
TERMS = {'skd-pi_': {'pi'}, 'skd-pi-pa_': {'pi', 'pa'},
         'skd-full_': {'pi', 'pa'}}


def test_every_skd_variant_has_mini_and_full_configs():
    for prefix in TERMS:
        names = [osp.basename(p) for p in SKD
                 if osp.basename(p).startswith(prefix)]
        assert any(n.endswith('_cityscapes-mini.py') and 'pspnet' in n
                   for n in names), prefix
        for family in ('pspnet', 'deeplabv3'):
            assert any(n.startswith(f'{prefix}{family}_r101-d8_') and
                       n.endswith('_cityscapes-512x1024.py')
                       for n in names), (prefix, family)


@pytest.fixture(scope='module')
def teacher_weights(tmp_path_factory):
    """Random weights per teacher reference, made on demand."""
    cache = {}

    def get(ref):
        if ref not in cache:
            teacher = build_model(ref, 'teacher')
            path = str(tmp_path_factory.mktemp('teacher') / 'weights.pth')
            save_weights(teacher.state_dict(), path)
            cache[ref] = path
        return cache[ref]
    return get


def _build(path, teacher_weights):
    cfg = Config.fromfile(osp.join(REPO, path))
    model = cfg.model.to_dict()
    if 'teacher' in model:
        model['teacher_checkpoint'] = teacher_weights(model['teacher'])
        model['student'] = offline_pretrained(model['student']) \
            if 'mini' in path else model['student']
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return cfg, MODELS.build(ConfigDict(model))


def _check_terms(path, cfg, model):
    name = osp.basename(path)
    prefix = next(p for p in TERMS if name.startswith(p))
    assert set(model.distill_losses) == TERMS[prefix], name
    assert model.distill_losses['pi'].loss_weight == 10.0
    assert model.distill_losses['pi'].ignore_index == 255
    if 'pa' in TERMS[prefix]:
        assert model.distill_losses['pa'].node_size == (2, 2)
    if prefix == 'skd-full_':
        assert model.critic is not None
        assert model.critic_weight == 0.1 and model.gp_weight == 10.0
        assert cfg.model_wrapper_cfg.type == \
            'MMSeparateDistributedDataParallel'
        from mmengine.optim import build_optim_wrapper
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        assert set(optim.keys()) == {'student', 'critic'}
        assert optim['critic'].optimizer.param_groups[0]['lr'] == 4e-4
        assert set(cfg.param_scheduler) == {'student', 'critic'}
    else:
        assert model.critic is None


@pytest.mark.parametrize('path', [p for p in SEG if 'mini' in p])
def test_mini_segmentation_configs_build(path, teacher_weights):
    cfg, model = _build(path, teacher_weights)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    # every student clips its gradients alike (the distillers' unstable
    # start), the plain one included; the teacher trains unclipped
    wrapper = cfg.optim_wrapper.get('student', cfg.optim_wrapper)
    expected = None if '/teacher/' in path else dict(max_norm=2.0,
                                                     norm_type=2)
    assert wrapper.get('clip_grad') == expected, path
    if 'teacher' not in cfg.model:
        return
    assert model.teacher.backbone.base_channels == 64
    assert model.student.backbone.base_channels == 16
    model.init_weights()  # the student's pretrained backbone loads
    if osp.basename(path).startswith('cwd_'):
        _check_cwd(model, tau=4.0, weight=3.0, step=True)
        return
    _check_terms(path, cfg, model)
    # mini deviation: the pixel-wise KL carries the cross-entropy's class
    # weights (background 0.1)
    ce_weight = model.student.decode_head.loss_decode.class_weight
    assert model.distill_losses['pi'].class_weight.tolist() == \
        pytest.approx(ce_weight) and ce_weight[0] == pytest.approx(0.1)


@pytest.mark.parametrize('path', SKD and [p for p in SKD if 'mini' not in p])
def test_full_cityscapes_configs_build(path, teacher_weights):
    cfg, model = _build(path, teacher_weights)
    assert cfg.train_cfg.max_iters == 80000
    assert cfg.train_dataloader.dataset.data_root == 'data/cityscapes/'
    assert model.teacher.backbone.depth == 101
    assert model.student.backbone.depth == 18
    assert model.student.decode_head.num_classes == 19
    _check_terms(path, cfg, model)
    assert model.distill_losses['pi'].class_weight is None  # the paper's


def _check_cwd(model, tau, weight, step=False):
    """CWD on the logit maps with the paper's τ and weight; with
    ``step``, one loss on a random batch is finite and trains the head."""
    import torch
    assert set(model.distill_losses) == {'cwd'}
    loss = model.distill_losses['cwd']
    assert type(loss).__name__ == 'CWDLoss'
    assert (loss.tau, loss.loss_weight) == (tau, weight)
    assert model.taps['cwd'] == ('decode_head.conv_seg',
                                 'decode_head.conv_seg')
    if step:
        from test_seg_distiller import seg_batch
        inputs, samples = seg_batch()
        model.train()
        losses = model.loss(inputs, samples)
        value = losses['distill.loss_cwd']
        assert torch.isfinite(value) and value.item() > 0
        value.backward()
        assert model.student.decode_head.conv_seg.weight.grad is not None


@pytest.mark.parametrize('path', [p for p in SEG if p.startswith(
    'configs/seg/cwd/') and 'mini' not in p])
def test_full_cwd_configs_build(path, teacher_weights):
    cfg, model = _build(path, teacher_weights)
    assert cfg.train_cfg.max_iters == 80000
    assert model.teacher.backbone.depth == 101
    assert model.student.decode_head.num_classes == 19
    _check_cwd(model, tau=4.0, weight=3.0)


def test_segmentation_suite_points_at_configs():
    for suite_path in glob.glob(osp.join(REPO, 'configs', 'benchmarks',
                                         'seg_*.py')):
        suite = Config.fromfile(suite_path)
        assert suite.task == 'segmentation'
        assert list(suite.methods) == ['baseline', 'skd_pi', 'skd_pi_pa',
                                       'skd_full', 'cwd']
        for config in [suite.teacher.config, *suite.methods.values(),
                       *suite.pretrained]:
            assert osp.isfile(osp.join(REPO, config)), config
        teacher = Config.fromfile(osp.join(REPO, suite.teacher.config))
        assert teacher.train_cfg.max_iters == 1500
