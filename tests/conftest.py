import contextlib
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

KD_CFG = 'configs/cls/kd/kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'
BASELINE_CFG = 'configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py'
TEACHER_MODEL = 'configs/_base_/models/resnet18-w16_fmnist.py'
STUDENT_MODEL = 'configs/_base_/models/resnet18-w8_fmnist.py'
# tiny runs: 256 training images, 200 validation images, 1 epoch
TINY_OPTIONS = ['train_dataloader.dataset.indices=256',
                'train_dataloader.batch_size=64',
                'val_dataloader.dataset.indices=200',
                'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                'param_scheduler.1.end=1', 'default_hooks.logger.interval=1']



@pytest.fixture(scope='session')
def fmnist_ready():
    root = osp.join(REPO, 'data', 'fashion_mnist')
    if not osp.isfile(osp.join(root, 'train-images-idx3-ubyte')):
        pytest.fail('data/fashion_mnist is missing: run `make data` (the '
                    'README test command `make test` does it).')
    return root


@pytest.fixture(scope='session')
def random_teacher_ckpt(tmp_path_factory):
    """Weights-only file of a randomly initialised mini teacher."""
    import kdbench  # noqa: F401
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    teacher = build_model(TEACHER_MODEL, 'teacher')
    path = str(tmp_path_factory.mktemp('teacher') / 'weights.pth')
    save_weights(teacher.state_dict(), path, dict(note='random init'))
    return path


def run_tool(args, timeout=600, env=None, cwd=REPO):
    """Run a tools/ script with this interpreter; return CompletedProcess."""
    full_env = dict(os.environ)
    full_env.pop('KDBENCH_ALLOW_PICKLE', None)
    full_env.update(env or {})
    return subprocess.run([sys.executable] + list(args), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env=full_env)


@contextlib.contextmanager
def isolated_mmengine_globals():
    """Run an mmengine Runner in this process without leaving its global
    instances current afterwards: the Runner's DefaultScope (e.g.
    'mmpretrain') would otherwise become every later test's default scope
    and change which registry builds ResNet, CrossEntropyLoss, ..."""
    from mmengine.logging import MessageHub
    from mmengine.registry import DefaultScope
    saved = {cls: dict(cls._instance_dict)
             for cls in (DefaultScope, MessageHub)}
    try:
        yield
    finally:
        for cls, instances in saved.items():
            cls._instance_dict.clear()
            cls._instance_dict.update(instances)
