"""Tiny-track configs: each builds, and a few iterations of each method
through tools/train.py leave a weights.pth that loads into the plain tiny
classifier config (the deployed network, not the supernet)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from kdbench.compat import load_checkpoint_file
from kdbench.distillers import build_model
from conftest import REPO, run_tool

TINY = sorted(osp.relpath(p, REPO) for p in glob.glob(
    osp.join(REPO, 'configs', 'tiny', '*', '*.py')))
BASELINE = 'configs/tiny/baseline/mbv2-w0.35_1xb128-10e_canvas64-mini.py'
OPTIONS = ['train_dataloader.dataset.indices=64',
           'train_dataloader.batch_size=32', 'val_dataloader.dataset.indices=64',
           'val_dataloader.batch_size=32', 'train_cfg.max_epochs=2',
           'train_cfg.val_interval=2', 'param_scheduler.1.end=2',
           'default_hooks.logger.interval=1']


# trained here: one config per code path (baseline_20e is the baseline's
# path on a longer schedule, netdistiller-no-ud the path netdistiller_kd
# takes without its external teacher)
TRAINED = [p for p in TINY if 'mini' in p and not p.endswith((
    'baseline/mbv2-w0.35_1xb128-20e_canvas64-mini.py',
    'netdistiller-no-ud_mbv2-w0.35_1xb128-10e_canvas64-mini.py'))]


@pytest.mark.parametrize('path', TRAINED)
def test_tiny_method_trains_and_exports_the_tiny_network(
        path, tmp_path, fmnist_ready):
    options = list(OPTIONS)
    model = Config.fromfile(osp.join(REPO, path)).model
    if 'teacher' in model:  # kd: a random teacher of the right architecture
        from kdbench.compat import save_weights
        ckpt = str(tmp_path / 'teacher.pth')
        save_weights(build_model(model.teacher, 'teacher').state_dict(), ckpt)
        options.append(f'model.teacher_checkpoint={ckpt}')
    if 'netaug' in path:
        options.append('custom_hooks.1.num_images=32')
    work = str(tmp_path / 'run')
    proc = run_tool(['tools/train.py', path, '--work-dir', work,
                     '--cfg-options', *options], timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'accuracy/top1' in log
    if 'netaug' in path:
        assert 'aug.loss' in log
        assert 'BN statistics re-estimated on 32 training images' in log
        assert 'width augmentation stops at iteration 2' in log
    if 'teacher' in model:  # the external teacher's KD term ran
        assert ('external_kd' if 'netdistiller' in path
                else 'distill.loss_kd') in log
    if 'netdistiller' in path:
        keys = ['loss_student', 'loss_teacher', 'kd_ratio']
        if model.gradient_surgery:
            keys.append('conflict_ratio')
        for key in keys:
            assert key in log, key
        assert 'NetDistiller: in-situ distillation starts at iteration 1' \
            in log
    weights = load_checkpoint_file(osp.join(work, 'weights.pth'))
    plain = build_model(BASELINE, 'student')
    plain.load_state_dict(weights['state_dict'], strict=True)
    n_plain = sum(v.numel() for v in plain.state_dict().values())
    assert sum(v.numel() for v in weights['state_dict'].values()) == n_plain


def test_tiny_configs_name_their_method():
    types = {osp.basename(osp.dirname(p)):
             Config.fromfile(osp.join(REPO, p)).model.type for p in TINY}
    assert types['baseline'] == 'mmpretrain.ImageClassifier'
    assert types['netaug'] == 'kdbench.NetAugClassifier'
    assert types['netdistiller'] == 'kdbench.NetDistillerClassifier'


IN1K = [p for p in TINY if p.endswith('_in1k-r160.py')]
R50_TEACHER = 'configs/cls/teacher/r50_8xb32-100e_in1k.py'


def test_every_tiny_method_has_mini_and_imagenet_configs():
    methods = {osp.basename(osp.dirname(p)) for p in TINY}
    assert methods == {'baseline', 'kd', 'netaug', 'netdistiller',
                       'netaug_kd', 'netdistiller_kd'}
    for method in methods:
        names = [p for p in TINY if p.startswith(f'configs/tiny/{method}/')]
        assert any(n.endswith('_canvas64-mini.py') for n in names), method
        assert any(n.endswith('_in1k-r160.py') for n in names), method


@pytest.fixture(scope='module')
def r50_weights(tmp_path_factory):
    """Random weights of the ImageNet ResNet-50 teacher (no download)."""
    from kdbench.compat import save_weights
    path = str(tmp_path_factory.mktemp('r50') / 'r50.pth')
    save_weights(build_model(R50_TEACHER, 'teacher').state_dict(), path)
    return path


@pytest.mark.parametrize('path', IN1K)
def test_imagenet_tiny_configs_build(path, r50_weights):
    from mmengine.registry import DefaultScope
    from kdbench.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, path))
    model_cfg = cfg.model.to_dict()
    external = 'teacher' in model_cfg
    if external:  # the user-supplied file: random weights of the same net
        assert model_cfg['teacher'] == R50_TEACHER
        assert model_cfg['teacher_checkpoint'].startswith('checkpoints/')
        model_cfg['teacher_checkpoint'] = r50_weights
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(model_cfg)
    method = osp.basename(osp.dirname(path))
    # the tiny network and, for the KD variants, the ResNet-50 teacher
    student = getattr(model, 'student', model)
    assert type(student).__name__ == {
        'baseline': 'ImageClassifier', 'kd': 'ImageClassifier',
        'netaug': 'NetAugClassifier', 'netaug_kd': 'NetAugClassifier',
        'netdistiller': 'NetDistillerClassifier',
        'netdistiller_kd': 'NetDistillerClassifier'}[method]
    assert student.head.num_classes == 1000
    assert student.backbone.widen_factor == 0.35
    if external:
        teacher = getattr(model, 'teacher', None) or model._external[0]
        assert teacher.backbone.depth == 50
        assert teacher.head.num_classes == 1000
        loaded = load_checkpoint_file(r50_weights)['state_dict']
        assert torch.equal(teacher.backbone.conv1.weight,
                           loaded['backbone.conv1.weight'])
    # the schedule of the method's own (no-KD) recipe
    epochs = 365 if 'netdistiller' in method else 155
    assert cfg.train_cfg.max_epochs == epochs
    if method == 'netaug_kd':
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert 'kdbench.NetAugScheduleHook' in hooks
        assert 'kdbench.BNRecalibrationHook' in hooks


def test_netaug_configs_sort_channels_as_the_official_code():
    """mit-han-lab's NetAug trains with `sort_channel: true`: every NetAug
    config, mini and ImageNet, sorts the hidden channels."""
    netaug = [p for p in TINY if osp.basename(p).startswith('netaug')]
    assert len(netaug) == 4
    for path in netaug:
        hooks = Config.fromfile(osp.join(REPO, path)).custom_hooks
        schedule = [h for h in hooks
                    if h['type'] == 'kdbench.NetAugScheduleHook']
        assert len(schedule) == 1 and schedule[0]['sort_channels'], path


def test_netdistiller_rows_follow_the_papers_design():
    """UD rows train twice the plain schedule (the paper: 360 vs 180
    epochs) after a one-epoch label warm-up; the ablations switch off
    what they name; the KD combination runs without UD (Table 5)."""
    def load(name):
        return Config.fromfile(osp.join(REPO, 'configs/tiny', name))

    def warmup_epochs(cfg):
        hook, = [h for h in cfg.custom_hooks
                 if h['type'] == 'kdbench.NetDistillerScheduleHook']
        return hook['label_warmup'] * cfg.train_cfg.max_epochs

    plain = load('baseline/mbv2-w0.35_1xb128-10e_canvas64-mini.py')
    plain_2x = load('baseline/mbv2-w0.35_1xb128-20e_canvas64-mini.py')
    assert plain_2x.train_cfg.max_epochs == 2 * plain.train_cfg.max_epochs
    assert plain_2x.param_scheduler[1].end == 20
    full = load('netdistiller/netdistiller_mbv2-w0.35_1xb128-20e_'
                'canvas64-mini.py')
    no_gs = load('netdistiller/netdistiller-no-gs_mbv2-w0.35_1xb128-20e_'
                 'canvas64-mini.py')
    no_ud = load('netdistiller/netdistiller-no-ud_mbv2-w0.35_1xb128-10e_'
                 'canvas64-mini.py')
    with_kd = load('netdistiller_kd/netdistiller-kd_r18_mbv2-w0.35_'
                   '1xb128-10e_canvas64-mini.py')
    for cfg, epochs, ud, surgery in ((full, 20, 1.25, True),
                                     (no_gs, 20, 1.25, False),
                                     (no_ud, 10, None, True),
                                     (with_kd, 10, None, True)):
        assert cfg.train_cfg.max_epochs == epochs
        assert cfg.param_scheduler[1].end == epochs
        assert cfg.model.uncertainty_threshold == ud
        assert cfg.model.gradient_surgery is surgery
        assert warmup_epochs(cfg) == pytest.approx(1.0)
    assert 'teacher' in with_kd.model and 'teacher' not in no_ud.model
