import contextlib
import os
import os.path as osp
import subprocess
import sys
import time

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



@pytest.fixture(scope='session', autouse=True)
def private_trust_ledger(tmp_path_factory):
    """Runs started by the tests record their checkpoints in a ledger of
    the test session, not in the user's (kdbench.utils.trust_ledger)."""
    from kdbench.utils.trust_ledger import LEDGER_ENV
    old = os.environ.get(LEDGER_ENV)
    os.environ[LEDGER_ENV] = str(tmp_path_factory.mktemp('trust') / 'ledger')
    yield
    if old is None:
        os.environ.pop(LEDGER_ENV, None)
    else:
        os.environ[LEDGER_ENV] = old


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


HELPERS = osp.join(REPO, 'tests', 'helpers')


def tiny_suite(tmp_path, name, methods, options=None, seeds=(0, 1)):
    """A benchmark suite file ``<tmp_path>/<name>.py``: the mini teacher,
    ``seeds``, tiny runs (TINY_OPTIONS plus ``options``)."""
    options = {**dict(o.split('=', 1) for o in TINY_OPTIONS),
               **(options or {})}
    suite = tmp_path / f'{name}.py'
    suite.write_text(f'''
task = 'classification'
benchmark = 'test'
dataset = 'fashion_mnist'
metric = 'top1'
metric_key = 'accuracy/top1'
title = {name!r}
leaderboard = {str(tmp_path / (name + '.md'))!r}
seeds = {list(seeds)!r}
teacher = dict(name='T', seed=0,
               config='configs/cls/teacher/r18-w16_1xb128-30e_fmnist-mini.py')
student = 'S'
methods = {methods!r}
cfg_options = {options!r}
teacher_cfg_options = {options!r}
''')
    return str(suite)


def paused_config(config, directory, epoch):
    """Write ``config`` plus a ``PauseAfterEpoch`` hook (tests/helpers) to
    ``directory``; return ``(config path, marker path, env)``. A run of it
    writes the marker once ``epoch``'s checkpoint is saved and then waits to
    be killed; ``env`` puts the helper on the run's import path."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    marker = osp.join(str(directory), 'paused')
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='kdbench.PauseAfterEpoch', epoch=epoch, marker=marker)]
    cfg.custom_imports = dict(imports=['pause_hook'],
                              allow_failed_imports=False)
    path = osp.join(str(directory), 'paused_' + osp.basename(config))
    cfg.dump(path)
    return path, marker, {'PYTHONPATH': HELPERS}


def free_port() -> str:
    """A TCP port free right now, for a rendezvous of test processes (a
    fixed port collides with another test session on the machine)."""
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def wait_until(condition, timeout, message):
    """Poll ``condition()`` until it holds; fail with ``message`` after
    ``timeout`` seconds."""
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f'{message} (after {timeout} s)'
        time.sleep(0.05)


def wait_for(path, proc, timeout=300):
    """Poll until ``path`` exists; fail if ``proc`` ends first."""
    def appeared():
        assert proc.poll() is None, f'the run ended before {path} appeared'
        return osp.exists(path)
    wait_until(appeared, timeout, f'{path} did not appear')


@pytest.fixture(scope='session')
def random_gfl_teacher(tmp_path_factory):
    """Weights-only file of a randomly initialised mini GFL teacher."""
    from det_helpers import GFL_TEACHER, random_weights
    return random_weights(GFL_TEACHER, str(
        tmp_path_factory.mktemp('gfl') / 'weights.pth'))


@pytest.fixture(scope='session')
def offline_gfl_student(tmp_path_factory):
    """The mini GFL student with random "pretrained" backbone weights."""
    from det_helpers import GFL_STUDENT, offline_pretrained_config
    return offline_pretrained_config(GFL_STUDENT, str(
        tmp_path_factory.mktemp('gfl_student') / 'student.py'))


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
