"""OnlineDistiller (DML, ONE): loss values against independent math, where
gradients go, the kept member, errors, export, configs and tiny e2e runs."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401  (registries)
from kdbench.compat import load_checkpoint_file
from kdbench.distillers import DistillerConfigError, build_model
from kdbench.distillers.online import sigmoid_rampup
from kdbench.engine.hooks.student_export_hook import deployable_model
from kdbench.registry import MODELS

from conftest import BASELINE_CFG, REPO, STUDENT_MODEL, run_tool

DML_MINI = 'configs/cls/dml/dml_r18-w8x2_1xb64-3e_fmnist-mini.py'
ONE_MINI = 'configs/cls/one/one_r18-w8-3br_1xb64-3e_fmnist-mini.py'
FFSD_MINI = 'configs/cls/ffsd/ffsd_r18-w8x3_1xb64-3e_fmnist-mini.py'
FULL = ['configs/cls/dml/dml_r18x2_1xb64-200e_cifar100.py',
        'configs/cls/one/one_r18-3br_1xb128-300e_cifar100.py',
        'configs/cls/ffsd/ffsd_r18x3_1xb128-300e_cifar100.py']


def make(scheme, **kwargs):
    cfg = dict(type='kdbench.OnlineDistiller', student=STUDENT_MODEL,
               scheme=scheme)
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def dml(k=2, **kwargs):
    return make(dict(type='kdbench.DMLScheme'), num_members=k, **kwargs)


def one(**scheme):
    cfg = dict(type='kdbench.NativeEnsembleScheme', rampup_epochs=0)
    cfg.update(scheme)
    return make(cfg, num_members=1)


def batch(model, n=8, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 255, (1, 28, 28), generator=g,
                            dtype=torch.uint8) for _ in range(n)]
    samples = [DataSample().set_gt_label(i % 10) for i in range(n)]
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   True)


def labels(data):
    return torch.cat([s.gt_label for s in data['data_samples']])


def plain_logits(net, x, stage=None, head=None):
    """ResNet_CIFAR forward written out by hand (optionally with another
    layer4 / head): conv1-bn-relu, layer1..4, global average pool, fc."""
    b = net.backbone
    x = b.relu(b.norm1(b.conv1(x)))
    for name in ('layer1', 'layer2', 'layer3'):
        x = getattr(b, name)(x)
    shared = x
    x = (stage or b.layer4)(x)
    return (head or net.head).fc(x.mean(dim=(2, 3))), shared


def close(a, b, **tolerances):
    """``torch.allclose`` of a float32 model value and a float64
    reference, compared in float64."""
    return torch.allclose(a.double(), b.double(), **tolerances)


def kl_by_hand(target_logits, logits, tau):
    p = torch.softmax(target_logits.double() / tau, 1)
    q = torch.softmax(logits.double() / tau, 1)
    return tau ** 2 * (p * (p.log() - q.log())).sum(1).mean()


def ce_by_hand(logits, y):
    return -torch.log_softmax(logits.double(), 1)[torch.arange(len(y)), y].mean()


# ---------------------------------------------------------------- DML
def test_dml_losses_match_independent_math():
    model = dml(k=3).train()
    data = batch(model)
    losses = model(**data, mode='loss')
    assert set(losses) == {f'member{k}.loss_cls' for k in range(3)} | {
        f'distill.loss_kl_member{k}' for k in range(3)}
    y = labels(data)
    with torch.no_grad():
        z = [plain_logits(m, data['inputs'])[0] for m in model.members]
    for k in range(3):
        assert close(losses[f'member{k}.loss_cls'],
                     ce_by_hand(z[k], y), atol=1e-5)
        expected = sum(kl_by_hand(z[j], z[k], 1.0)
                       for j in range(3) if j != k) / 2
        assert close(losses[f'distill.loss_kl_member{k}'],
                     expected, atol=1e-6)


def test_dml_kl_term_trains_only_its_own_peer():
    model = dml(k=2).train()
    losses = model(**batch(model), mode='loss')
    losses['distill.loss_kl_member0'].backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.members[0].head.parameters())
    assert all(p.grad is None for p in model.members[1].parameters())


def test_dml_peers_are_independent_and_kept_one_runs_alone():
    model = dml(k=2, kept=1)
    w0, w1 = (m.backbone.conv1.weight for m in model.members)
    assert not torch.equal(w0, w1), 'peers must be initialised independently'
    assert model.student is model.members[1]
    assert deployable_model(model) is model.members[1]
    calls = []
    model.members[0].register_forward_hook(lambda *a: calls.append(0))
    model.members[1].register_forward_hook(lambda *a: calls.append(1))
    model.eval()
    data = batch(model)
    preds = model(**data, mode='predict')
    assert len(preds) == 8 and calls == [1]
    out = model(data['inputs'], mode='tensor')
    assert torch.allclose(out, model.members[1](data['inputs']))


# ---------------------------------------------------------------- ONE
def test_one_losses_match_independent_math():
    model = one(num_branches=3, tau=3.0).train()
    data = batch(model)
    losses = model(**data, mode='loss')
    base, branches = model.members[0], model.scheme.branches
    y = labels(data)
    with torch.no_grad():
        z0, shared = plain_logits(base, data['inputs'])
        zs = [z0] + [plain_logits(base, data['inputs'], b['stage'],
                                  b['head'])[0] for b in branches]
        fc, bn = model.scheme.gate[0], model.scheme.gate[1]
        h = fc(shared.mean(dim=(2, 3)))
        # BatchNorm1d in training mode, by hand (biased batch variance)
        h = (h - h.mean(0)) / torch.sqrt(h.var(0, unbiased=False) + bn.eps)
        g = torch.softmax(torch.relu(h * bn.weight + bn.bias), 1)
        ze = sum(g[:, i, None] * zs[i] for i in range(3))
    for i in range(3):
        assert close(losses[f'branch{i}.loss_cls'],
                     ce_by_hand(zs[i], y), atol=1e-5)
        assert close(losses[f'distill.loss_kl_branch{i}'],
                     kl_by_hand(ze, zs[i], 3.0), atol=1e-5)
    assert close(losses['ensemble.loss_cls'], ce_by_hand(ze, y),
                 atol=1e-5)
    assert float(losses['distill.rampup']) == 1.0


def test_one_gradients():
    model = one().train()
    gate = list(model.scheme.gate.parameters())
    losses = model(**batch(model), mode='loss')
    # the KL target (ensemble) is detached: no gradient reaches the gate
    sum(v for k, v in losses.items() if k.startswith('distill.loss')
        ).backward(retain_graph=True)
    assert all(p.grad is None for p in gate)
    assert model.scheme.branches[1]['head'].fc.weight.grad.abs().sum() > 0
    # the ensemble CE trains the gate, every branch and the shared trunk
    losses['ensemble.loss_cls'].backward()
    assert all(p.grad is not None for p in gate)
    # (zero-init residuals: test whole stages, not one conv)
    for stage in [model.members[0].backbone.layer1,
                  model.members[0].backbone.layer4] + [
                      b['stage'] for b in model.scheme.branches]:
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in stage.parameters())


def test_one_branches_differ_and_export_branch0_only():
    model = one(num_branches=3)
    base = model.members[0]
    for b in model.scheme.branches:
        assert b['stage'] is not base.backbone.layer4
        assert not torch.equal(b['stage'][0].conv1.weight,
                               base.backbone.layer4[0].conv1.weight)
        assert not torch.equal(b['head'].fc.weight, base.head.fc.weight)
    assert deployable_model(model) is base
    plain = build_model(BASELINE_CFG, 'student')
    plain.load_state_dict(deployable_model(model).state_dict(), strict=True)


def test_ramp_up_follows_training_progress():
    assert sigmoid_rampup(0, 80) == pytest.approx(math.exp(-5))
    assert sigmoid_rampup(40, 80) == pytest.approx(math.exp(-1.25))
    assert sigmoid_rampup(80, 80) == sigmoid_rampup(200, 80) == 1.0
    assert sigmoid_rampup(3, 0) == 1.0
    model = one(rampup_epochs=2.0).train()
    data = batch(model)
    # a current MessageHub without training progress (as outside a Runner,
    # whatever earlier tests left current): no ramp
    MessageHub.get_instance('test_online_no_runner')
    full = model(**data, mode='loss')
    assert float(full['distill.rampup']) == 1.0
    hub = MessageHub.get_instance('test_online_ramp')
    try:
        # iteration 5 of 20 over 4 epochs = epoch 1.0 of a 2-epoch ramp
        for key, value in (('iter', 5), ('max_iters', 20),
                           ('max_epochs', 4)):
            hub.update_info(key, value)
        ramped = model(**data, mode='loss')
    finally:
        MessageHub.get_instance('test_online_after_ramp')
    w = math.exp(-5 * 0.25)
    assert float(ramped['distill.rampup']) == pytest.approx(w)
    assert close(ramped['distill.loss_kl_branch1'],
                 w * full['distill.loss_kl_branch1'], rtol=1e-4)
    assert close(ramped['branch1.loss_cls'],
                 full['branch1.loss_cls'])


# ------------------------------------------------------------- errors
@pytest.mark.parametrize('kwargs, match', [
    (dict(num_members=2, kept=2), 'kept=2'),
    (dict(members=[STUDENT_MODEL]), 'either members'),
    (dict(student=None, num_members=2), 'needs student='),
    (dict(num_members=0), 'num_members must be'),
    (dict(num_members=1), 'needs at least 2 members'),
])
def test_dml_config_errors(kwargs, match):
    cfg = dict(type='kdbench.OnlineDistiller', student=STUDENT_MODEL,
               scheme=dict(type='kdbench.DMLScheme'))
    cfg.update(kwargs)
    with pytest.raises(DistillerConfigError, match=match):
        MODELS.build(cfg)


@pytest.mark.parametrize('scheme, match', [
    (dict(type='kdbench.NativeEnsembleScheme'), None),
    (dict(type='kdbench.NativeEnsembleScheme', num_branches=1),
     'num_branches >= 2'),
    (dict(type='kdbench.NativeEnsembleScheme', branch_stage='backbone.lyr4'),
     'backbone.layer4'),
    ('kdbench.DMLScheme', 'must be a dict'),
    (dict(type='kdbench.KDLoss'), 'not an OnlineScheme'),
])
def test_scheme_config_errors(scheme, match):
    cfg = dict(type='kdbench.OnlineDistiller', student=STUDENT_MODEL,
               num_members=2 if match is None else 1, scheme=scheme)
    with pytest.raises(DistillerConfigError,
                       match=match or 'needs 1 members, got 2'):
        MODELS.build(cfg)


def test_one_branch_stage_must_feed_the_head():
    model = one(branch_stage='backbone.layer3').train()
    with pytest.raises(DistillerConfigError, match='must produce the '
                       'backbone output'):
        model(**batch(model), mode='loss')


def test_heterogeneous_members_list():
    w16 = 'configs/_base_/models/resnet18-w16_fmnist.py'
    model = make(dict(type='kdbench.DMLScheme'),
                 student=None, members=[STUDENT_MODEL, w16])
    assert model.members[1].head.fc.in_features == 128
    losses = model(**batch(model), mode='loss')
    assert torch.isfinite(sum(losses.values()))


# ------------------------------------------------------------ configs
@pytest.mark.parametrize('path', FULL)
def test_full_configs_build(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    model = cfg.model.to_dict()
    model['data_preprocessor'] = cfg.data_preprocessor
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        built = MODELS.build(model)
    assert built.student.head.num_classes == 100
    assert built.student.backbone.depth == 18


# one interpreter runs tools/train.py's main() for every mini config, to pay
# the import cost once (the test budget); each run has its own work_dir
E2E_SCRIPT = """
import runpy, sys
train = runpy.run_path('tools/train.py')
for config, work in zip(sys.argv[1::2], sys.argv[2::2]):
    train['main']([config, '--work-dir', work, '--cfg-options',
                   'train_dataloader.dataset.indices=128',
                   'val_dataloader.dataset.indices=100',
                   'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                   'param_scheduler.1.end=1',
                   'default_hooks.logger.interval=1'])
"""
E2E_KEYS = {
    DML_MINI: ('member1.loss_cls', 'distill.loss_kl_member1'),
    ONE_MINI: ('branch2.loss_cls', 'ensemble.loss_cls',
               'distill.loss_kl_branch2', 'distill.rampup'),
    FFSD_MINI: ('fusion.loss_cls', 'distill.loss_div_member2',
                'distill.loss_sdm_member0', 'self_distillation.lr',
                'distill.rampup'),
}


def test_mini_configs_train_and_export_the_kept_member(tmp_path,
                                                       fmnist_ready):
    import glob
    works = {path: str(tmp_path / osp.basename(osp.dirname(path)))
             for path in E2E_KEYS}
    args = [a for path, work in works.items() for a in (path, work)]
    proc = run_tool(['-c', E2E_SCRIPT, *args], timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    plain = build_model(BASELINE_CFG, 'student')
    for path, work in works.items():
        logs = glob.glob(osp.join(work, '*', '*.log'))
        assert len(logs) == 1, (path, logs)
        with open(logs[0]) as f:
            log = f.read()
        assert 'accuracy/top1' in log, path
        for key in E2E_KEYS[path]:
            assert key in log, (path, key)
        weights = load_checkpoint_file(osp.join(work, 'weights.pth'))
        plain.load_state_dict(weights['state_dict'], strict=True)


# ---------------------------------------------------------------- FFSD
def ffsd(**kwargs):
    scheme = dict(type='kdbench.FFSDScheme', rampup_epochs=0)
    scheme.update(kwargs.pop('scheme', {}))
    return make(scheme, num_members=kwargs.pop('num_members', 3), **kwargs)


def stage_feats(net, x):
    b = net.backbone
    x = b.relu(b.norm1(b.conv1(x)))
    feats = []
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        x = getattr(b, name)(x)
        feats.append(x)
    return feats, net.head.fc(x.mean(dim=(2, 3)))


def unit_attention(x):
    x = x.double()
    a = (x * x).sum(1).flatten(1)  # sum, not mean: same after normalising
    return a / a.norm(dim=1, keepdim=True)


def at_by_hand(s, t):
    return ((unit_attention(s) - unit_attention(t)) ** 2).mean()


def shifted_by_hand(feat):
    """Eq. (8) as the code computes it, written with explicit cases."""
    a = (feat ** 2).mean(1).flatten(1)
    p = a.norm(dim=1, keepdim=True)
    a_hat = a / p
    k = int(a.shape[1] / 3)
    t = a_hat.sort(dim=1).values[:, k - 1:k]
    return torch.where(a_hat > t, p - a_hat,
                       torch.where(a_hat < t, a_hat, p / 2)), a_hat, p


def test_attention_diversity_and_normalized_l2_losses():
    g = torch.Generator().manual_seed(1)
    s, t = (torch.randn(3, 5, 4, 4, generator=g) for _ in range(2))
    div = MODELS.build(dict(type='kdbench.AttentionDiversityLoss',
                            loss_weight=2.0))
    target, _, _ = shifted_by_hand(t)
    expected = 2.0 * ((unit_attention(s) - target) ** 2).mean()
    assert close(div(s, t), expected, atol=1e-6)
    # the positions below t (the ⌊HW/3⌋-th smallest) keep their value
    _, a_hat, _ = shifted_by_hand(t)
    assert int((target == a_hat).sum()) == 3 * (int(16 / 3) - 1)
    nl2 = MODELS.build(dict(type='kdbench.NormalizedL2Loss',
                            loss_weight=3.0))
    s2, t2 = s.reshape(3, -1), t.reshape(3, -1)
    expected = 3.0 * ((s2 / s2.norm(dim=1, keepdim=True)
                       - t2 / t2.norm(dim=1, keepdim=True)) ** 2).mean()
    assert close(nl2(s, t), expected, atol=1e-6)
    # teacher detached, fp32
    s.requires_grad_(True)
    t.requires_grad_(True)
    (div(s, t) + nl2(s, t)).backward()
    assert s.grad is not None and t.grad is None
    assert nl2(s.half(), t.half()).dtype == torch.float32


def test_diversity_target_feature_and_sd_module_sizes():
    from kdbench.cls.ffsd_modules import (SelfDistillationModule,
                                          diversity_target_feature)
    g = torch.Generator().manual_seed(2)
    feat = torch.randn(2, 4, 3, 3, generator=g)
    target, a_hat, p = shifted_by_hand(feat)
    out = diversity_target_feature(feat)
    added = (out - feat)
    # the same map added to every channel: (Ā − Â)·P / C
    assert torch.allclose(added[:, 0], added[:, 3])
    assert torch.allclose(added[:, 0].flatten(1), (target - a_hat) * p / 4,
                          atol=1e-6)
    sd = SelfDistillationModule([8, 16, 32, 64])
    outs = sd(torch.randn(2, 64, 4, 4), [(28, 28), (14, 14), (7, 7)])
    assert [tuple(o.shape[1:]) for o in outs] == [
        (8, 28, 28), (16, 14, 14), (32, 7, 7)]
    with pytest.raises(ValueError, match='resolution halves'):
        sd(torch.randn(2, 64, 4, 4), [(28, 28), (14, 14), (4, 4)])


def test_ffsd_losses_match_independent_math():
    lam_div, lam_fus, lam_sd, alpha = 2e-3, 3.0, 5.0, 0.5
    model = ffsd(scheme=dict(lambda_div=lam_div, lambda_fusion=lam_fus,
                             lambda_sd=lam_sd, alpha=alpha)).train()
    # well-conditioned KL terms: freshly initialised members predict nearly
    # the same distribution (KL ~ 3e-4, a difference of nearly equal logs
    # whose float32 rounding depends on the CPU's summation order); heads
    # scaled and shifted apart give KLs of order 0.1-1
    with torch.no_grad():
        for i, member in enumerate(model.members):
            member.head.fc.weight.mul_(4.0 + 3 * i)
            member.head.fc.bias.add_(torch.linspace(-2, 2, 10) * (i - 1))
        model.fusion.fc.weight.mul_(6.0)
    data = batch(model)
    y, x = labels(data), data['inputs']
    # SD modules' BN running statistics change in their training passes:
    # the model's target pass must see the same ones as the hand one
    sd_state = {k: v.clone()
                for k, v in model.self_distillation.state_dict().items()}
    with torch.no_grad():
        (f0, z0), (f1, z1), (f2, z2) = (stage_feats(m, x)
                                        for m in model.members)
        f_e = torch.cat([f1[3], f2[3]], 1)
        f_f = model.fusion.encoder(f_e)
        z_f = model.fusion.fc(f_f.mean(dim=(2, 3)))
        sizes = [f.shape[2:] for f in f0[:3]]
        sd0, sd2 = (model.self_distillation[k] for k in ('member0',
                                                          'member2'))
        sd0.eval(), sd2.eval()
        t0 = sd0(f_f, sizes)
        t2 = sd2(_div_feature(f1[3]), sizes)
        sd0.train(), sd2.train()
        o0, o2 = sd0(f0[3], sizes), sd2(f2[3], sizes)
    model.self_distillation.load_state_dict(sd_state)
    losses = model(**data, mode='loss')
    expect = {
        'member0.loss_cls': ce_by_hand(z0, y),
        'member1.loss_cls': ce_by_hand(z1, y),
        'member2.loss_cls': ce_by_hand(z2, y),
        'fusion.loss_cls': ce_by_hand(z_f, y),
        'distill.loss_kl_member1': kl_by_hand(z2, z1, 2.0),
        'distill.loss_kl_member2': kl_by_hand(z1, z2, 2.0),
        'distill.loss_kl_fusion': kl_by_hand((z1 + z2) / 2, z_f, 2.0),
        'distill.loss_kl_member0': kl_by_hand(z_f, z0, 2.0),
        'distill.loss_div_member2': lam_div * (
            (unit_attention(f2[3]) - shifted_by_hand(f1[3])[0]) ** 2).mean(),
        'distill.loss_sd_member2': lam_div * sum(
            at_by_hand(f2[m], t2[m]) for m in range(3)),
        'distill.loss_fea_member0': lam_fus * at_by_hand(f0[3], f_f),
        'distill.loss_trans_member0': lam_fus * at_by_hand(
            model.trans_fusion(f0[3]), f_e),
        'distill.loss_sd_member0': lam_fus * sum(
            at_by_hand(f0[m], t0[m]) for m in range(3)),
    }
    for key, o, f in (('distill.loss_sdm_member0', o0, f0),
                      ('distill.loss_sdm_member2', o2, f2)):
        expect[key] = lam_sd * sum(
            at_by_hand(o[m], f[m]) + alpha * ((
                o[m].flatten(1) / o[m].flatten(1).norm(dim=1, keepdim=True)
                - f[m].flatten(1) / f[m].flatten(1).norm(dim=1, keepdim=True)
            ) ** 2).mean() for m in range(3))
    assert set(losses) == set(expect) | {'distill.rampup'}
    # the references are float64 functions of float32 features; the model
    # computes in float32: relative rounding ~1e-6 on terms of order
    # 1e-3-1 (the smallest, loss_div / loss_sd, are scaled by lam_div)
    for key, value in expect.items():
        assert float(value) > 1e-4 * lam_div, (key, float(value))
        assert losses[key].item() == pytest.approx(value.item(), rel=1e-4,
                                                   abs=1e-9), key


def _div_feature(feat):
    target, a_hat, p = shifted_by_hand(feat)
    return feat + ((target - a_hat) * p / feat.shape[1]).view(
        feat.shape[0], 1, *feat.shape[2:])


def _grads(module):
    return any(p.grad is not None and p.grad.abs().sum() > 0
               for p in module.parameters())


@pytest.mark.parametrize('group, trained', [
    (('member0.', 'loss_kl_member0', 'loss_fea', 'loss_trans',
      'loss_sd_member0'), {'member0', 'trans_fusion'}),
    (('loss_div_member2', 'loss_sd_member2'), {'member2'}),
    (('member1.', 'loss_kl_member1'), {'member1'}),
    (('fusion.', 'loss_kl_fusion'), {'fusion'}),
    (('loss_sdm_',), {'self_distillation'}),
])
def test_ffsd_each_term_trains_only_its_own_network(group, trained):
    model = ffsd().train()
    losses = model(**batch(model), mode='loss')
    sum(v for k, v in losses.items()
        if 'loss' in k and any(g in k for g in group)).backward()
    parts = {f'member{k}': m for k, m in enumerate(model.members)}
    parts.update(fusion=model.fusion, trans_fusion=model.trans_fusion,
                 self_distillation=model.self_distillation)
    got = {name for name, part in parts.items() if _grads(part)}
    assert got == trained


@pytest.mark.parametrize('ddp', [False, True])
def test_ffsd_train_step_updates_every_part_with_its_optimizer(ddp,
                                                               tmp_path):
    import torch.distributed as dist
    from mmengine.optim import build_optim_wrapper
    from kdbench.distillers import OnlineDistributedDataParallel
    cfg = Config.fromfile(osp.join(REPO, FFSD_MINI))
    assert cfg.model_wrapper_cfg.type == \
        'kdbench.OnlineDistributedDataParallel'
    model = ffsd()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert type(optim.optim_wrappers['self_distillation'].optimizer
                ).__name__ == 'Adam'
    assert optim.optim_wrappers['fusion'].optimizer.param_groups[0][
        'weight_decay'] == 1e-5
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    inputs, samples = _raw_batch()
    data = dict(inputs=inputs, data_samples=samples)
    if ddp:  # a one-process gloo group: the DDP wrapper's own train_step
        dist.init_process_group('gloo', init_method=f'file://{tmp_path}/pg',
                                rank=0, world_size=1)
        try:
            log_vars = OnlineDistributedDataParallel(
                module=model).train_step(data, optim)
        finally:
            dist.destroy_process_group()
    else:
        log_vars = model.train_step(data, optim)
    assert 'loss' in log_vars and 'distill.loss_sdm_member0' in log_vars
    changed = set()
    for key, value in model.state_dict().items():
        if value.dtype.is_floating_point and not torch.equal(value,
                                                             before[key]):
            parts = key.split('.')
            changed.add('.'.join(parts[:2]) if parts[0] == 'members'
                        else parts[0])
    assert {'members.0', 'members.1', 'members.2', 'fusion', 'trans_fusion',
            'self_distillation'} <= changed


def _raw_batch(n=8):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(0)
    return [torch.randint(0, 255, (1, 28, 28), generator=g,
                          dtype=torch.uint8) for _ in range(n)], [
        DataSample().set_gt_label(i % 10) for i in range(n)]


def test_ffsd_exports_the_leader_and_checks_its_config():
    model = ffsd()
    assert deployable_model(model) is model.members[0]
    plain = build_model(BASELINE_CFG, 'student')
    plain.load_state_dict(deployable_model(model).state_dict(), strict=True)
    with pytest.raises(DistillerConfigError, match='set kept=0'):
        ffsd(kept=1)
    with pytest.raises(DistillerConfigError, match='share an architecture'):
        make(dict(type='kdbench.FFSDScheme'), student=None, members=[
            STUDENT_MODEL, STUDENT_MODEL,
            'configs/_base_/models/resnet18-w16_fmnist.py'])
    with pytest.raises(DistillerConfigError, match='backbone.layer4'):
        ffsd(scheme=dict(taps=('backbone.layer3', 'backbone.layr4')))
    with pytest.raises(DistillerConfigError, match='at least 2 taps'):
        ffsd(scheme=dict(taps=('backbone.layer4', )))


def test_members_must_share_the_input_normalisation():
    other = Config.fromfile(osp.join(REPO, STUDENT_MODEL)).model.to_dict()
    other['data_preprocessor'] = dict(num_classes=10, mean=[0.0],
                                      std=[1.0], to_rgb=False)
    with pytest.raises(DistillerConfigError, match='same data_preprocessor'):
        make(dict(type='kdbench.DMLScheme'), student=None,
             members=[STUDENT_MODEL, other])
