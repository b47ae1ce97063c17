"""Teacher-output cache: views replay exactly, the cached KD loss equals
the online one on the same views (and, with top-k truncation, stays
within the bound computed here), and a stale, incomplete or mismatched
cache is refused with the command that rebuilds it."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
from kdbench.compat import save_weights
from kdbench.distillers import build_model
from kdbench.losses import KDLoss
from kdbench.registry import DATASETS, MODELS
from kdbench.teacher_cache import (TeacherCacheError, TeacherCacheHook,
                                   TeacherOutputCache, reconstruct_logits)

from conftest import REPO

CONFIG = 'configs/cls/kd/kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'
SUBSET = 96


def _cfg(tmp_path, teacher, config=CONFIG, **extra):
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict({
        'model.teacher_checkpoint': teacher,
        'model.teacher_cache': str(tmp_path / 'cache'),
        'train_dataloader.dataset.dataset.indices': SUBSET, **extra})
    return cfg


@pytest.fixture(scope='module')
def teacher(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model('configs/_base_/models/resnet18-w16_fmnist.py',
                        'teacher')
    path = str(tmp_path_factory.mktemp('t') / 'teacher.pth')
    save_weights(model.state_dict(), path)
    return path


def _build_cache(cfg, topk=None, epochs=2, config=CONFIG):
    import sys
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from cache_teacher import build_cache
    return build_cache(cfg, config, epochs=epochs, topk=topk, batch_size=40)


def _cached_and_online(cfg):
    """The config's cached distiller, the same model as an online
    SingleTeacherDistiller with the same student weights, and the
    replayed dataset."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        cached = MODELS.build(cfg.model)
        online_cfg = cfg.model.to_dict()
        online_cfg.pop('teacher_cache')
        online_cfg['type'] = 'kdbench.SingleTeacherDistiller'
        online = MODELS.build(online_cfg)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    online.student.load_state_dict(cached.student.state_dict())
    for model in (cached, online):
        model.train()
    return cached, online, dataset


def _batch(dataset, epoch, indices):
    return pseudo_collate([dataset[epoch * len(dataset) + i]
                           for i in indices])


def test_views_replay_and_cached_kd_equals_online_kd(tmp_path, teacher,
                                                     fmnist_ready):
    cfg = _cfg(tmp_path, teacher)
    summary = _build_cache(cfg)
    assert (summary['epochs'], summary['samples'], summary['topk']) == \
        (2, SUBSET, 10)
    cached, online, dataset = _cached_and_online(cfg)
    # the same (epoch, sample) gives the same view, in any order
    a = dataset[1 * SUBSET + 7]
    b = dataset[1 * SUBSET + 7]
    assert torch.equal(a['inputs'], b['inputs'])
    assert not torch.equal(a['inputs'], dataset[0 * SUBSET + 7]['inputs'])
    for epoch in (0, 1):
        data = _batch(dataset, epoch, [5, 60, 3, 91])
        want = online(**online.data_preprocessor(data, True), mode='loss')
        got = cached(**cached.data_preprocessor(data, True), mode='loss')
        assert got['distill.loss_kd'].item() == pytest.approx(
            want['distill.loss_kd'].item(), rel=2e-3)  # fp16 logits
        assert got['student.loss'].item() == pytest.approx(
            want['student.loss'].item(), rel=1e-6)
    # a view the teacher did not see is refused
    data = _batch(dataset, 0, [5, 6])
    data['data_samples'][1].set_metainfo(dict(view_crc=123))
    with pytest.raises(TeacherCacheError, match='not the view'):
        cached(**cached.data_preprocessor(data, True), mode='loss')


def test_top_k_truncation_is_bounded(tmp_path, teacher, fmnist_ready):
    """With k = 3 of 10 classes, the rebuilt distribution keeps the top 3
    probabilities and the rest's total mass at T = 1; at T = 4 the KD
    value differs from the full one by less than the bound below."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(64, 10, generator=g) * 3
    top, classes = logits.topk(3, dim=1)
    p = torch.softmax(logits, 1)
    residual = 1 - p.gather(1, classes).sum(1)
    rebuilt = reconstruct_logits(top, classes, residual, 10)
    q = torch.softmax(rebuilt, 1)
    assert torch.allclose(q.gather(1, classes), p.gather(1, classes),
                          atol=1e-6)
    assert torch.allclose(1 - q.gather(1, classes).sum(1), residual,
                          atol=1e-6)
    student = torch.randn(64, 10, generator=g)
    full = KDLoss(tau=4.0)(student, logits).item()
    approx = KDLoss(tau=4.0)(student, rebuilt).item()
    # the truncation bound, per sample (triangle inequality on
    # KD = T^2 (sum p log p - sum p log q)): T^2 (|p - p~|_1 max|log q| +
    # |H(p) - H(p~)|), p / p~ the full / rebuilt teacher at T, q the student
    tau = 4.0
    pt, pr = torch.softmax(logits / tau, 1), torch.softmax(rebuilt / tau, 1)
    log_q = torch.log_softmax(student / tau, 1)
    entropy = lambda d: -(d * d.log()).sum(1)  # noqa: E731
    bound = tau ** 2 * ((pt - pr).abs().sum(1) * log_q.abs().max(1).values +
                        (entropy(pt) - entropy(pr)).abs())
    assert abs(full - approx) <= bound.mean().item()
    # and the error shrinks as k grows, to nothing at k = C
    errors = []
    for k in (3, 6, 9, 10):
        top, classes = logits.topk(k, dim=1)
        residual = 1 - p.gather(1, classes).sum(1)
        rebuilt = reconstruct_logits(top, classes, residual, 10)
        errors.append(abs(full - KDLoss(tau=tau)(student, rebuilt).item()))
    assert errors == sorted(errors, reverse=True) and errors[-1] < 1e-5


def test_stale_incomplete_or_mismatched_caches_are_refused(
        tmp_path, teacher, fmnist_ready):
    cfg = _cfg(tmp_path, teacher)
    path = str(tmp_path / 'cache')
    # incomplete (the build stopped before finish)
    TeacherOutputCache.create(path, teacher_sha256='x', dataset_sha256='y',
                              seed=0, epochs=1, num_samples=4,
                              num_classes=10, topk=10,
                              build_command='python tools/cache_teacher.py '
                              'CFG')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(TeacherCacheError, match='incomplete.*rebuild'):
            MODELS.build(cfg.model)
    _build_cache(cfg, epochs=1)
    # other teacher weights
    torch.manual_seed(3)
    other = str(tmp_path / 'other.pth')
    save_weights(build_model('configs/_base_/models/resnet18-w16_fmnist.py',
                             'teacher').state_dict(), other)
    cfg_other = _cfg(tmp_path, other)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(TeacherCacheError,
                           match='teacher_sha256.*Rebuild it: python tools'):
            MODELS.build(cfg_other.model)
        model = MODELS.build(cfg.model)
    # the hook: a run longer than the cache, or on other data
    hook = TeacherCacheHook()

    class Runner:
        def __init__(self, cfg, max_epochs):
            self.cfg, self.model, self.max_epochs = cfg, model, max_epochs
    with pytest.raises(TeacherCacheError, match='covers 1 epochs'):
        hook.before_train(Runner(cfg, 3))
    hook.before_train(Runner(cfg, 1))
    changed = _cfg(tmp_path, teacher, **{
        'train_dataloader.dataset.dataset.indices': SUBSET // 2})
    with pytest.raises(TeacherCacheError, match='dataset_sha256'):
        hook.before_train(Runner(changed, 1))
    changed = _cfg(tmp_path, teacher, **{
        'train_dataloader.sampler.type': 'DefaultSampler'})
    with pytest.raises(TeacherCacheError, match='EpochIndexSampler'):
        hook.before_train(Runner(changed, 1))


_S = 'r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'


@pytest.mark.parametrize('config,loss', [
    (f'configs/cls/dkd/dkd-cached_{_S}', 'distill.loss_dkd'),
    (f'configs/cls/dkd/dkd-ls-cached_{_S}', 'distill.loss_dkd'),
    (f'configs/cls/dist/dist-cached_{_S}', 'distill.loss_dist'),
    (f'configs/cls/kd/kd-ls-cached_{_S}', 'distill.loss_kd'),
])
def test_other_logit_methods_train_from_the_cache(tmp_path, teacher, config,
                                                  loss, fmnist_ready):
    """DKD (it needs the labels), DIST and logit standardisation read the
    cached logits: their loss equals the online one on the same views
    (all classes kept: fp16 rounding only), without a teacher forward."""
    cfg = _cfg(tmp_path, teacher, config=config)
    _build_cache(cfg, epochs=1, config=config)
    cached, online, dataset = _cached_and_online(cfg)
    calls = []
    cached.teacher.register_forward_hook(lambda *a: calls.append(1))
    data = _batch(dataset, 0, [5, 60, 3, 91, 17, 40])
    want = online(**online.data_preprocessor(data, True), mode='loss')
    got = cached(**cached.data_preprocessor(data, True), mode='loss')
    assert want[loss].item() > 0
    assert got[loss].item() == pytest.approx(want[loss].item(), rel=3e-3)
    assert got['student.loss'].item() == pytest.approx(
        want['student.loss'].item(), rel=1e-6)
    assert calls == []  # the teacher never ran


def test_cached_kd_trains_under_ddp_each_rank_on_its_samples(
        tmp_path, teacher, fmnist_ready):
    """tools/dist_train.sh with two CPU processes: each rank's sampler
    yields its own (epoch, sample) rows, the distiller checks each view's
    checksum against the row it reads, and the run trains and evaluates
    (the refusals are tested in one process above)."""
    import json
    import os
    import subprocess
    import sys

    from conftest import TINY_OPTIONS, free_port, run_tool
    model_opts = [f'model.teacher_checkpoint={teacher}',
                  f'model.teacher_cache={tmp_path / "cache"}']
    built = run_tool(['tools/cache_teacher.py', CONFIG, '--cfg-options',
                      *TINY_OPTIONS, *model_opts])
    assert built.returncode == 0, built.stderr[-3000:]

    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    env.pop('KDBENCH_ALLOW_PICKLE', None)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(tmp_path / 'dist'), '--cfg-options', *TINY_OPTIONS,
         *model_opts],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'distill.loss_kd' in log and 'accuracy/top1' in log
    result = json.loads((tmp_path / 'dist' / 'result.json').read_text())
    # 256 views, batch 64 per rank: 2 iterations on each of the 2 ranks
    assert result['world_size'] == 2
    assert [r['iters_run'] for r in result['ranks']] == [2, 2]
