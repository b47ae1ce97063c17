"""Born-Again Networks: BornAgainDistiller, BornAgainHook and the configs.

The generation switch is checked in real mmengine runs (tools/train.py's
``run`` in this process, plus one tools/train.py subprocess); the losses
against plain torch math written here.
"""
import glob
import importlib.util
import json
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.optim import CosineAnnealingLR, LinearLR
from mmengine.registry import DefaultScope
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

import kdbench  # noqa: F401
from kdbench.distillers import (BornAgainDistiller, DistillerConfigError,
                                build_model)
from kdbench.engine.hooks import BornAgainHook, generation_seed
from kdbench.recorders import TapError
from kdbench.registry import HOOKS, MODELS

from conftest import (BASELINE_CFG, REPO, STUDENT_MODEL,
                      isolated_mmengine_globals, run_tool)

BAN_CFG = 'configs/cls/ban/ban_r18-w8_1xb64-3gx3e_fmnist-mini.py'
BAN_KD_CFG = 'configs/cls/ban/ban-kd-only_r18-w8_1xb64-3gx3e_fmnist-mini.py'
FULL_CFG = 'configs/cls/ban/ban_r18_1xb64-4gx300e_cifar100.py'


def make(**kwargs):
    cfg = dict(type='kdbench.BornAgainDistiller', student=STUDENT_MODEL)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def batch(n=8, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 255, (1, 28, 28), generator=g,
                            dtype=torch.uint8) for _ in range(n)]
    samples = [DataSample().set_gt_label(i % 10) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def state_equal(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def clone(state):
    return {k: v.detach().clone() for k, v in state.items()}


def baseline_student():
    cfg = Config.fromfile(osp.join(REPO, BASELINE_CFG))
    return build_model(osp.join(REPO, BASELINE_CFG), 'student',
                       default_preprocessor=cfg.data_preprocessor.to_dict())


def load_state(path):
    return torch.load(path, map_location='cpu', weights_only=True)[
        'state_dict']


# ----------------------------------------------------------- distiller
def test_generation_zero_learns_from_labels_and_needs_the_hook():
    model = make()
    data = model.data_preprocessor(batch(), True)
    with pytest.raises(DistillerConfigError, match='BornAgainHook'):
        model.loss(**data)
    model.generation = 0
    losses = model.loss(**data)
    assert set(losses) == {'student.loss'} and model.teacher is None
    assert all(k.startswith('student.') for k in model.state_dict())


def test_begin_generation_freezes_previous_and_reinitialises_student():
    model = make()
    model.generation = 0
    with torch.no_grad():  # as after training: weights and BN stats moved
        for param in model.student.parameters():
            param.add_(0.5)
        model.student.backbone.bn1.running_mean.fill_(3.0)
    finished = clone(model.student.state_dict())
    param_ids = [id(p) for p in model.student.parameters()]
    rng = torch.get_rng_state()

    model.begin_generation(1, seed=generation_seed(0, 1))

    assert model.generation == 1
    assert state_equal(model.teacher.state_dict(), finished)
    new = model.student.state_dict()
    conv = 'backbone.conv1.weight'
    assert not torch.equal(new[conv], finished[conv])
    assert torch.equal(new['backbone.bn1.running_mean'],
                       torch.zeros_like(new['backbone.bn1.running_mean']))
    # the same parameter objects (optimizer / DDP keep pointing at them)
    assert [id(p) for p in model.student.parameters()] == param_ids
    assert torch.equal(torch.get_rng_state(), rng)  # global RNG untouched
    # exactly a fresh build + init_weights() under the generation's seed
    torch.manual_seed(generation_seed(0, 1))
    fresh = build_model(STUDENT_MODEL, 'student')
    fresh.init_weights()
    assert state_equal(fresh.state_dict(), model.student.state_dict())
    other = make()
    other.reinitialize_student(seed=generation_seed(0, 2))
    assert not torch.equal(other.student.state_dict()[conv], new[conv])
    # the teacher: frozen, eval, outside parameters / state_dict
    teacher_ids = {id(p) for p in model.teacher.parameters()}
    assert not teacher_ids & {id(p) for p in model.parameters()}
    assert not any(k.startswith('teacher') for k in model.state_dict())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert model.student.training and not model.teacher.training
    model.double()
    assert next(model.teacher.parameters()).dtype == torch.float64
    with pytest.raises(ValueError, match='generations >= 1'):
        model.begin_generation(0, seed=0)


@pytest.mark.parametrize('tau,ce_weight', [(1.0, 1.0), (2.0, 0.0)])
def test_losses_match_independent_math(tau, ce_weight):
    model = make(distill_loss=dict(type='kdbench.KDLoss', tau=tau,
                                   loss_weight=1.0),
                 student_loss_weight=ce_weight)
    model.generation = 0
    model.begin_generation(1, seed=7)
    sharp = model.teacher.state_dict()  # a confident, non-trivial teacher
    sharp['head.fc.weight'] = sharp['head.fc.weight'] * 300
    model.set_teacher(sharp)
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(**data)
    assert set(losses) == {'student.loss', 'distill.loss_kd'}

    inputs = data['inputs']
    labels = torch.tensor([s.gt_label.item() for s in data['data_samples']])
    s = model.student(inputs, mode='tensor').detach()  # BN: batch stats
    t = model.teacher(inputs, mode='tensor')
    p_t = torch.exp(t / tau) / torch.exp(t / tau).sum(1, keepdim=True)
    q_s = torch.exp(s / tau) / torch.exp(s / tau).sum(1, keepdim=True)
    kl = tau ** 2 * sum((p_t[i] * (p_t[i].log() - q_s[i].log())).sum()
                        for i in range(len(s))) / len(s)
    q1 = torch.exp(s) / torch.exp(s).sum(1, keepdim=True)
    ce = -sum(q1[i, labels[i]].log() for i in range(len(s))) / len(s)
    assert kl > 0.05
    assert torch.allclose(losses['distill.loss_kd'], kl, rtol=1e-4)
    assert torch.allclose(losses['student.loss'], ce_weight * ce, rtol=1e-4)

    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert model.student.backbone.conv1.weight.grad.abs().sum() > 0


def test_ensemble_averages_member_softmax():
    model = make()
    members = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        member = model.build_network()
        member.init_weights()
        with torch.no_grad():
            member.head.fc.weight.mul_(100)
        members.append(member.eval())
    data = model.data_preprocessor(batch(), False)
    out = model.ensemble_predict(data['inputs'], data['data_samples'],
                                 members)
    logits = [m(data['inputs'], mode='tensor') for m in members]
    expected = sum(torch.exp(z) / torch.exp(z).sum(1, keepdim=True)
                   for z in logits) / 2
    scores = torch.stack([sample.pred_score for sample in out])
    assert torch.allclose(scores, expected, atol=1e-6)
    assert [s.pred_label.item() for s in out] == \
        expected.argmax(1).tolist()


def test_distiller_config_errors():
    with pytest.raises(TapError, match="'head.fc'"):
        make(logits='head.fcc')
    with pytest.raises(DistillerConfigError, match='student_loss_weight'):
        make(student_loss_weight=-1.0)
    with pytest.raises(ValueError, match='positive integer'):
        BornAgainHook(epochs_per_generation=0)


# ---------------------------------------------------------------- hook
def fake_runner(model, tmp_path, max_epochs=4, epoch=0, loop=None,
                schedulers=(), iters_per_epoch=4):
    loop_cls = loop or EpochBasedTrainLoop
    return SimpleNamespace(
        model=model, train_loop=loop_cls.__new__(loop_cls),
        max_epochs=max_epochs, epoch=epoch,
        param_schedulers=list(schedulers),
        train_dataloader=[None] * iters_per_epoch, work_dir=str(tmp_path),
        logger=MMLogger.get_current_instance(), seed=0)


def test_hook_refuses_runs_it_cannot_split(tmp_path):
    model = make()
    hook = BornAgainHook(epochs_per_generation=2)
    with pytest.raises(DistillerConfigError,
                       match='max_epochs = generations x 2'):
        hook.before_train(fake_runner(model, tmp_path, max_epochs=5))
    with pytest.raises(DistillerConfigError, match='epoch-based'):
        hook.before_train(fake_runner(model, tmp_path,
                                      loop=IterBasedTrainLoop))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    cosine = CosineAnnealingLR(optimizer, by_epoch=True, begin=0, end=4)
    with pytest.raises(DistillerConfigError,
                       match=r'param_scheduler\[0\].*4 epochs.*at most 2'):
        hook.before_train(fake_runner(model, tmp_path, schedulers=[cosine]))
    warmup = LinearLR(optimizer, by_epoch=False, begin=0, end=20)
    with pytest.raises(DistillerConfigError,
                       match='20 iterations.*at most 8'):
        hook.before_train(fake_runner(model, tmp_path, schedulers=[warmup]))
    with pytest.raises(FileNotFoundError, match='gen0'):  # resume, gen 1
        hook.before_train(fake_runner(model, tmp_path, epoch=3))
    with pytest.raises(DistillerConfigError, match='BornAgainDistiller'):
        hook.before_train(fake_runner(baseline_student(), tmp_path))


# ------------------------------------------------------- training runs
RECORDS = {}


@HOOKS.register_module(force=True)
class BanProbeHook(Hook):
    """Test probe, after BornAgainHook: what each epoch starts with."""

    priority = 'LOW'

    def _model(self, runner):
        return runner.model

    def before_train(self, runner):
        model = self._model(runner)
        RECORDS['start'] = dict(
            generation=model.generation,
            teacher=None if model.teacher is None
            else clone(model.teacher.state_dict()))

    def before_train_epoch(self, runner):
        model = self._model(runner)
        optimized = {id(p) for group in
                     runner.optim_wrapper.optimizer.param_groups
                     for p in group['params']}
        RECORDS.setdefault('epochs', {})[runner.epoch] = dict(
            optimizer_states=len(runner.optim_wrapper.optimizer.state),
            student=clone(model.student.state_dict()),
            teacher=None if model.teacher is None
            else clone(model.teacher.state_dict()),
            teacher_optimized=model.teacher is not None and any(
                id(p) in optimized for p in model.teacher.parameters()))

    def after_train_epoch(self, runner):
        RECORDS.setdefault('end_states', {})[runner.epoch] = len(
            runner.optim_wrapper.optimizer.state)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        RECORDS.setdefault('lr', {})[runner.iter] = \
            runner.optim_wrapper.optimizer.param_groups[0]['lr']
        teacher = self._model(runner).teacher
        if teacher is not None:  # the model is in train mode here
            RECORDS.setdefault('teacher_training', []).append(
                teacher.training or any(p.requires_grad
                                        for p in teacher.parameters()))


def _train_tool():
    spec = importlib.util.spec_from_file_location(
        'kdbench_train_tool', osp.join(REPO, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_in_process(config, work, options, resume=None):
    """tools/train.py's ``run`` in this process (options as a dict, so a
    probe hook can be added); returns the log text."""
    tool = _train_tool()
    args = tool.parse_args([osp.join(REPO, config), '--work-dir', work]
                           + (['--resume', resume] if resume else []))
    args.cfg_options = dict(options)
    RECORDS.clear()
    with isolated_mmengine_globals():
        tool.run(args)
    logs = sorted(glob.glob(osp.join(work, '*', '*.log')))
    with open(logs[-1]) as f:
        return f.read()


# 128 images = 2 iterations per epoch; 2 generations x 2 epochs
RUN_OPTIONS = {
    'train_dataloader.dataset.indices': 128,
    'val_dataloader.dataset.indices': 100,
    'train_cfg.max_epochs': 4, 'train_cfg.val_interval': 2,
    'param_scheduler.0.end': 3, 'param_scheduler.1.end': 2,
    'default_hooks.logger.interval': 1,
    'custom_hooks': [dict(type='kdbench.BornAgainHook',
                          epochs_per_generation=2, evaluate_ensemble=True),
                     dict(type='kdbench.BanProbeHook')],
}


# mmpretrain's MNIST reader warns once per image under pytest's recorder
@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_generations_in_one_run_and_resume(tmp_path, fmnist_ready,
                                           monkeypatch):
    monkeypatch.chdir(REPO)
    work = str(tmp_path / 'ban')
    log = train_in_process(BAN_CFG, work, RUN_OPTIONS)
    run = dict(RECORDS)
    gen0 = load_state(osp.join(work, 'gen0', 'weights.pth'))
    gen1 = load_state(osp.join(work, 'gen1', 'weights.pth'))

    # the switch at epoch 2: teacher = the saved S0, student re-initialised
    # with the generation's seed, optimizer state cleared
    switch = run['epochs'][2]
    assert run['epochs'][0]['teacher'] is None
    assert state_equal(switch['teacher'], gen0)
    assert not state_equal(switch['student'], gen0)
    torch.manual_seed(generation_seed(0, 1))  # randomness.seed = 0
    fresh = build_model(STUDENT_MODEL, 'student')
    fresh.init_weights()
    assert state_equal(switch['student'], fresh.state_dict())
    assert run['end_states'][1] > 0 and switch['optimizer_states'] == 0
    # the teacher: outside the optimizer, eval mode and frozen while training
    assert not switch['teacher_optimized']
    assert run['teacher_training'] == [False] * 4
    # lr restarted: generation 1 repeats generation 0's schedule exactly
    lrs = [run['lr'][i] for i in range(8)]
    assert lrs[:4] == pytest.approx(lrs[4:], rel=1e-9, abs=1e-12)
    assert lrs[0] == pytest.approx(0.01) and lrs[3] < max(lrs[:4])
    assert 'generation: 1' in log and 'distill.loss_kd' in log

    # the kept model is the last generation; every file loads strictly
    # into the plain student config
    assert state_equal(load_state(osp.join(work, 'weights.pth')), gen1)
    for state in (gen0, gen1):
        baseline_student().load_state_dict(state, strict=True)
    with open(osp.join(work, 'result.json')) as f:
        metrics = json.load(f)['metrics']
    assert {'accuracy/top1', 'gen0/accuracy/top1',
            'ensemble/accuracy/top1'} <= set(metrics)

    # resume inside generation 1 (from epoch 3): the teacher comes back
    # from gen0/weights.pth, the schedule continues where it was
    train_in_process(BAN_CFG, work, RUN_OPTIONS,
                     resume=osp.join(work, 'epoch_3.pth'))
    assert RECORDS['start']['generation'] == 1
    assert state_equal(RECORDS['start']['teacher'], gen0)
    assert [RECORDS['lr'][i] for i in (6, 7)] == pytest.approx(lrs[6:])
    assert state_equal(load_state(osp.join(work, 'gen0', 'weights.pth')),
                       gen0)


@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_kd_only_config_trains_without_labels_after_s0(tmp_path,
                                                       fmnist_ready,
                                                       monkeypatch):
    monkeypatch.chdir(REPO)
    work = str(tmp_path / 'kd_only')
    # window 1: the logged losses are the iteration's own, not smoothed
    # across the generation boundary
    options = dict(RUN_OPTIONS, **{'train_cfg.max_epochs': 2,
                                   'train_cfg.val_interval': 1,
                                   'param_scheduler.0.end': 2,
                                   'param_scheduler.1.end': 1,
                                   'log_processor.window_size': 1})
    options['custom_hooks'] = [dict(type='kdbench.BornAgainHook',
                                    epochs_per_generation=1)]
    train_in_process(BAN_KD_CFG, work, options)
    path, = glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        scalars = [json.loads(line) for line in f]
    train = [s for s in scalars if 'generation' in s]
    assert {s['generation'] for s in train} == {0, 1}
    assert all(s['student.loss'] > 0 for s in train if s['generation'] == 0)
    assert all(s['student.loss'] == 0 and s['distill.loss_kd'] > 0
               for s in train if s['generation'] == 1)
    assert osp.isfile(osp.join(work, 'weights.pth'))


def test_ban_config_end_to_end_with_train_tool(tmp_path, fmnist_ready):
    """tools/train.py, 2 generations x 1 epoch on 192 images."""
    work = str(tmp_path / 'cli')
    proc = run_tool([
        'tools/train.py', BAN_CFG, '--work-dir', work, '--cfg-options',
        'train_dataloader.dataset.indices=192',
        'val_dataloader.dataset.indices=100', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=1', 'custom_hooks.0.epochs_per_generation=1',
        'param_scheduler.0.end=3', 'param_scheduler.1.end=1',
        'default_hooks.logger.interval=1'])
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'Born-again generation 1/1 starts at epoch 2' in log
    assert 'generation: 1' in log and 'distill.loss_kd' in log
    assert 'ensemble/accuracy/top1' in log
    weights = load_state(osp.join(work, 'weights.pth'))
    assert state_equal(weights, load_state(osp.join(work, 'gen1',
                                                    'weights.pth')))
    baseline_student().load_state_dict(weights, strict=True)


# -------------------------------------------------------------- configs
def test_mini_configs_state_their_budget():
    for path in (BAN_CFG, BAN_KD_CFG):
        cfg = Config.fromfile(osp.join(REPO, path))
        base = Config.fromfile(osp.join(REPO, BASELINE_CFG))
        hook = cfg.custom_hooks[0]
        assert hook.type == 'kdbench.BornAgainHook'
        assert hook.epochs_per_generation == base.train_cfg.max_epochs
        assert cfg.train_cfg.max_epochs == 3 * base.train_cfg.max_epochs
        assert cfg.param_scheduler == base.param_scheduler
        assert cfg.train_dataloader.batch_size == 64
        with open(osp.join(REPO, path)) as f:
            assert 'BUDGET' in f.read()
    assert Config.fromfile(osp.join(REPO, BAN_KD_CFG)).model \
        .student_loss_weight == 0.0


def test_full_cifar100_config_builds():
    cfg = Config.fromfile(osp.join(REPO, FULL_CFG))
    hook = cfg.custom_hooks[0]
    epochs = hook.epochs_per_generation
    assert cfg.train_cfg.max_epochs == 4 * epochs == 1200
    assert all(s.end <= epochs for s in cfg.param_scheduler)
    model = cfg.model.to_dict()
    model['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(model)
    assert isinstance(model, BornAgainDistiller) and model.teacher is None
    assert model.student.backbone.depth == 18
    assert model.student.head.num_classes == 100
    assert model.distill_loss.tau == 1.0 and model.student_loss_weight == 1.0
