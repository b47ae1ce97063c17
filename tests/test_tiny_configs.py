"""Tiny-track configs: each builds, and a few iterations of each method
through tools/train.py leave a weights.pth that loads into the plain tiny
classifier config (the deployed network, not the supernet)."""
import glob
import os.path as osp

import pytest
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


@pytest.mark.parametrize('path', [p for p in TINY if 'mini' in p])
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
        for key in ('loss_student', 'loss_teacher', 'conflict_ratio',
                    'kd_ratio'):
            assert key in log, key
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
