"""Every config parses; classification configs build their models."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

import kdbench  # noqa: F401
from kdbench.compat import save_weights
from kdbench.distillers import SingleTeacherDistiller, build_model
from kdbench.registry import MODELS

from conftest import REPO

ALL = sorted(osp.relpath(p, REPO) for p in glob.glob(
    osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
CLS = [p for p in ALL if p.startswith('configs/cls/')]
# every method folder of configs/cls/ (a new one is covered without an
# edit here), apart from the plain networks and the methods with their own
# models (below)
OWN_MODEL_METHODS = ('dml', 'one', 'ffsd', 'byot', 'self_guidance', 'ban')
METHODS = sorted({p.split('/')[2] for p in CLS} -
                 {'baseline', 'teacher', *OWN_MODEL_METHODS})
# online / self / born-again: a mini config and a full CIFAR-100 one


@pytest.mark.parametrize('path', ALL)
def test_config_parses(path):
    Config.fromfile(osp.join(REPO, path))


def test_every_method_has_mini_and_imagenet_configs():
    assert {'kd', 'dkd', 'dist', 'crd', 'reviewkd', 'fitnets'} <= \
        set(METHODS)
    for method in METHODS:
        names = [osp.basename(p) for p in CLS
                 if p.startswith(f'configs/cls/{method}/')]
        assert any(n.endswith('_fmnist-mini.py') for n in names), method
        # <method>_<teacher(s)>_r18_8xb32-..._in1k.py (the folder's
        # underscores are hyphens in file names: ens_kd/ens-kd_...)
        prefixes = (f'{method}_', f'{method.replace("_", "-")}_')
        assert any(n.startswith(prefixes) and '_r18_8xb32-' in n and
                   n.endswith('_in1k.py') for n in names), method


def test_online_and_self_methods_have_mini_and_cifar100_configs():
    for method in OWN_MODEL_METHODS:
        names = [osp.basename(p) for p in CLS
                 if p.startswith(f'configs/cls/{method}/')]
        assert any(n.endswith('_fmnist-mini.py') for n in names), method
        assert any(n.endswith('_cifar100.py') for n in names), method


@pytest.fixture(scope='module')
def r34_weights(tmp_path_factory):
    teacher = build_model('configs/cls/teacher/r34_8xb32-100e_in1k.py',
                          'teacher')
    path = str(tmp_path_factory.mktemp('r34') / 'r34.pth')
    save_weights(teacher.state_dict(), path)
    return path


_EXTRA_WEIGHTS = {}


def _random_weights(ref):
    """Random weights of model ``ref`` in a file (made once per ref)."""
    import tempfile
    if ref not in _EXTRA_WEIGHTS:
        path = osp.join(tempfile.mkdtemp(), 'weights.pth')
        save_weights(build_model(ref, 'teacher').state_dict(), path)
        _EXTRA_WEIGHTS[ref] = path
    return _EXTRA_WEIGHTS[ref]


def _empty_cache(teacher_ckpt):
    """A complete one-row teacher-output cache keyed by these teacher
    weights (what a cached-teacher config needs to build)."""
    import tempfile

    import numpy as np

    from kdbench.teacher_cache import TeacherOutputCache
    from kdbench.utils.hashing import file_sha256
    path = osp.join(tempfile.mkdtemp(), 'cache')
    cache = TeacherOutputCache.create(
        path, teacher_sha256=file_sha256(teacher_ckpt), dataset_sha256='x',
        seed=0, epochs=1, num_samples=1, num_classes=10, topk=10,
        build_command='-')
    cache.arrays['written'][:] = np.True_
    cache.finish()
    return path


def _build(cfg, teacher_ckpt=None):
    model = cfg.model.to_dict()
    if teacher_ckpt:
        model['teacher_checkpoint'] = teacher_ckpt
    for extra in (model.get('extra_teachers') or {}).values():
        # a multi-teacher config's other teachers: random weights too
        extra['checkpoint'] = _random_weights(extra['model'])
    if str(model.get('type', '')).endswith('CachedTeacherDistiller'):
        model['teacher_cache'] = _empty_cache(model['teacher_checkpoint'])
    model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(model)


@pytest.mark.parametrize('path', [p for p in CLS if p.endswith('_in1k.py')])
def test_imagenet_configs_build(path, r34_weights):
    cfg = Config.fromfile(osp.join(REPO, path))
    assert cfg.train_dataloader.batch_size == 32
    model = _build(cfg, r34_weights if 'teacher' in cfg.model else None)
    if hasattr(model, 'stages'):  # stage-wise: extra stages on top, stated
        assert model.stages[-1]['end'] == cfg.train_cfg.max_epochs
        assert cfg.budget
    else:
        assert cfg.train_cfg.max_epochs == 100
    if 'teacher' in cfg.model:
        assert isinstance(model, SingleTeacherDistiller)
        main = getattr(model.teacher, 'main', model.teacher)  # multi
        assert main.backbone.depth == 34
        assert model.student.backbone.depth == 18
        assert model.student.head.num_classes == 1000
        if not hasattr(model, 'stages'):
            _one_loss_step(model)


def _one_loss_step(model):
    """One training forward on two random 64x64 images (labels 3 and
    7): every loss is finite and the student gets a gradient."""
    import torch
    from mmpretrain.structures import DataSample
    model.train()
    g = torch.Generator().manual_seed(0)
    data = model.data_preprocessor(dict(
        inputs=[torch.randint(0, 255, (3, 64, 64), generator=g,
                              dtype=torch.uint8) for _ in range(2)],
        data_samples=[DataSample(metainfo=dict(sample_idx=i)).set_gt_label(k)
                      for i, k in enumerate((3, 7))]), True)
    losses = model(**data, mode='loss')
    assert any(k.startswith('distill.') for k in losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert model.student.head.fc.weight.grad is not None


@pytest.mark.parametrize('path', [p for p in CLS
                                  if p.endswith('_fmnist-mini.py')])
def test_mini_configs_build(path, random_teacher_ckpt):
    cfg = Config.fromfile(osp.join(REPO, path))
    model = _build(cfg, random_teacher_ckpt if 'teacher' in cfg.model
                   else None)
    if 'teacher' in cfg.model:
        assert model.distill_losses, path
