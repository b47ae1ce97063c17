"""SelfDistiller (BYOT, Self-Guidance): loss values against independent
math, gradient routing, stochastic depth (sampling, test rule, folding),
export into the plain student, errors, configs and tiny e2e runs."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
import kdbench.cls  # noqa: F401  (view modules)
from kdbench.cls.stochastic_depth import StochasticDepthError, linear_decay
from kdbench.compat import load_checkpoint_file
from kdbench.distillers import (DistillerConfigError, build_model,
                                load_model_cfg)
from kdbench.engine.hooks.student_export_hook import deployable_model
from kdbench.registry import MODELS

from conftest import BASELINE_CFG, REPO, STUDENT_MODEL, run_tool

BYOT_MINI = 'configs/cls/byot/byot_r18-w8_1xb64-3e_fmnist-mini.py'
SG_MINI = ('configs/cls/self_guidance/'
           'self-guidance_r18-w8_1xb64-3e_fmnist-mini.py')
FULL = ['configs/cls/byot/byot_r18_1xb128-250e_cifar100.py',
        'configs/cls/self_guidance/self-guidance_r18_1xb128-300e_cifar100.py']


def student_cfg(**backbone):
    cfg, _ = load_model_cfg(STUDENT_MODEL, 'student')
    cfg['type'] = 'mmpretrain.ImageClassifier'
    cfg['backbone'].update(backbone)
    return cfg


def make(views, **backbone):
    torch.manual_seed(0)
    model = MODELS.build(dict(type='kdbench.SelfDistiller',
                              student=student_cfg(**backbone), views=views))
    model.init_weights()
    # non-trivial residual branches (mmpretrain zero-inits their last BN)
    g = torch.Generator().manual_seed(1)
    for m in model.student.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=g) * 0.1
            m.running_mean = torch.randn(m.num_features, generator=g) * 0.1
            m.running_var = torch.rand(m.num_features, generator=g) + 0.5
    fc = model.student.head.fc  # logits of order 1, not ~0 (std 0.01 init)
    fc.weight.data = torch.randn(fc.weight.shape, generator=g) * 0.5
    return model


def byot(**kwargs):
    return make(dict(type='kdbench.BYOTBranches', **kwargs))


def sg(**kwargs):
    return make(dict(type='kdbench.SelfGuidanceView', **kwargs))


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


def kl_t2(teacher, student, tau):
    """τ²·KL(softmax(t/τ) ‖ softmax(s/τ)), mean over samples, by hand."""
    p = torch.softmax(teacher / tau, 1)
    q = torch.softmax(student / tau, 1)
    return tau ** 2 * (p * (p.log() - q.log())).sum(1).mean()


def manual_forward(student, x, scales=None):
    """Independent ResNet_CIFAR forward: stage outputs, pooled feature,
    logits; residual branch l multiplied by scales[l]."""
    bb = student.backbone
    h = bb.relu(bb.norm1(bb.conv1(x)))
    stages, l = [], 0
    for name in bb.res_layers:
        for block in getattr(bb, name):
            branch = block.norm2(block.conv2(block.relu(block.norm1(
                block.conv1(h)))))
            identity = h if block.downsample is None else block.downsample(h)
            s = 1.0 if scales is None else float(scales[l])
            h = torch.relu(s * branch + identity)
            l += 1
        stages.append(h)
    feature = h.mean((2, 3))
    return stages, feature, student.head.fc(feature)


# ------------------------------------------------------------ BYOT
def test_byot_losses_match_independent_math():
    model = byot(hint_weights=(0.03, 0.05, 0.0))
    model.train()
    data = batch(model)
    losses = model(**data, mode='loss')
    assert set(losses) == {'student.loss'} | {
        f'distill.loss_{kind}_layer{i}' for kind in ('ce', 'kd')
        for i in (1, 2, 3)} | {'distill.loss_hint_layer1',
                               'distill.loss_hint_layer2'}
    y = labels(data)
    stages, f_c, z_c = manual_forward(model.student, data['inputs'])
    assert torch.allclose(losses['student.loss'], F.cross_entropy(z_c, y),
                          atol=1e-5)
    for i, lam in ((1, 0.03), (2, 0.05), (3, 0.0)):
        feat, z_i = model.views.branches[f'layer{i}'](stages[i - 1])
        assert torch.allclose(losses[f'distill.loss_ce_layer{i}'],
                              0.7 * F.cross_entropy(z_i, y), atol=1e-5)
        assert torch.allclose(losses[f'distill.loss_kd_layer{i}'],
                              0.3 * kl_t2(z_c, z_i, 3.0), atol=1e-5)
        if lam:
            hint = lam * 0.5 * ((feat - f_c) ** 2).sum() / feat.shape[0]
            assert torch.allclose(losses[f'distill.loss_hint_layer{i}'],
                                  hint, atol=1e-5)
    # branch shapes: stage channels doubled per stride-2 SepConv to 64
    assert len(model.views.branches['layer1'].bottleneck) == 3
    assert len(model.views.branches['layer3'].bottleneck) == 1
    assert model.views.branches['layer2'].fc.in_features == 64


def test_byot_gradient_routing():
    model = byot()
    model.train()
    losses = model(**batch(model), mode='loss')
    shallow = sum(v for k, v in losses.items() if k.startswith('distill.'))
    shallow.backward()
    bb, head = model.student.backbone, model.student.head
    # q_C and F_C are targets: nothing reaches the deepest classifier/stage
    assert head.fc.weight.grad is None
    assert all(p.grad is None for p in bb.layer4.parameters())
    assert bb.layer1[0].conv1.weight.grad is not None
    assert all(p.grad is not None
               for p in model.views.branches.parameters())
    # the KL alone reaches branch 1 but not the head
    model.zero_grad(set_to_none=True)
    losses = model(**batch(model), mode='loss')
    losses['distill.loss_kd_layer1'].backward()
    assert head.fc.weight.grad is None
    assert model.views.branches['layer1'].fc.weight.grad.abs().sum() > 0
    assert model.views.branches['layer2'].fc.weight.grad is None
    # the deepest CE trains the network, not the branches
    model.zero_grad(set_to_none=True)
    losses = model(**batch(model), mode='loss')
    losses['student.loss'].backward()
    assert head.fc.weight.grad is not None
    assert all(p.grad is None for p in model.views.parameters())


def test_byot_export_predict_and_ensemble():
    model = byot()
    model.eval()
    data = batch(model)
    # the branches are outside the deployable network and its export
    assert deployable_model(model) is model.student
    assert not hasattr(model.student, 'deploy_state_dict')
    assert not any(k.startswith('views') for k in
                   model.student.state_dict())
    plain = build_model(BASELINE_CFG, 'student').eval()
    plain.load_state_dict(model.deploy_state_dict(), strict=True)
    with torch.no_grad():
        ours = model(data['inputs'], mode='tensor')
        assert torch.allclose(ours, plain(data['inputs'], mode='tensor'))
        preds = model(**data, mode='predict')
    assert torch.equal(torch.stack([p.pred_score for p in preds]),
                       torch.softmax(ours, 1))
    logits = model.views.classifier_logits(
        model.full_outputs(data['inputs']))
    assert list(logits) == ['layer1', 'layer2', 'layer3', 'deepest']
    assert torch.allclose(logits['deepest'], ours)
    ens = model.views.ensemble(logits)
    expected = sum(torch.softmax(v, 1) for v in logits.values()) / 4
    assert torch.allclose(ens, expected)
    assert torch.allclose(ens.sum(1), torch.ones(8))


def test_byot_authors_code_variant():
    """α = 0.3 without T² (KD weight α/T²), no feature term."""
    model = byot(kd=dict(loss_weight=0.3 / 9), hint_weights=(0, 0, 0))
    model.train()
    data = batch(model)
    losses = model(**data, mode='loss')
    assert not any('hint' in k for k in losses)
    stages, _, z_c = manual_forward(model.student, data['inputs'])
    _, z_1 = model.views.branches['layer1'](stages[0])
    p = torch.softmax(z_c / 3, 1)
    soft_ce = -(p * torch.log_softmax(z_1 / 3, 1)).sum(1).mean()
    entropy = -(p * p.log()).sum(1).mean()  # constant for the branch
    assert torch.allclose(losses['distill.loss_kd_layer1'],
                          0.3 * (soft_ce - entropy), atol=1e-5)


@pytest.mark.parametrize('kwargs, match', [
    (dict(stages=()), 'at least one stage'),
    (dict(hint_weights=(0.1, 0.1)), 'hint_weights has 2 entries'),
    (dict(logits='neck'), "nn.Linear"),
    (dict(stages=('backbone.layer1', 'backbone.layer2', 'backbone.layr3')),
     "'backbone.layer3'"),
    (dict(branch_channels=[[8, 16], [16, 32], [32, 64]]),
     'ends at 16 channels'),
])
def test_byot_config_errors(kwargs, match):
    with pytest.raises((DistillerConfigError, ValueError), match=match):
        byot(**kwargs)


def test_wrapper_config_errors():
    with pytest.raises(DistillerConfigError, match='views=dict'):
        MODELS.build(dict(type='kdbench.SelfDistiller',
                          student=STUDENT_MODEL))
    with pytest.raises(DistillerConfigError, match='SelfDistillView'):
        MODELS.build(dict(type='kdbench.SelfDistiller', student=STUDENT_MODEL,
                          views=dict(type='kdbench.KDLoss')))


# ------------------------------------------------------------ stochastic depth
def test_linear_decay_and_sampling_statistics():
    expected = [1 - l / 16 for l in range(1, 9)]  # L = 8, p_L = 0.5
    assert linear_decay(8, 0.5) == pytest.approx(expected)
    model = sg()
    sd = model.views.sd
    assert len(sd.blocks) == 8 and sd.survival == pytest.approx(expected)
    g = torch.Generator().manual_seed(0)
    draws = torch.stack([sd.sample(g) for _ in range(4000)])
    assert set(draws.unique().tolist()) <= {0.0, 1.0}
    mean = draws.mean(0)
    std = (torch.tensor(expected) * (1 - torch.tensor(expected)) /
           4000).sqrt()
    assert ((mean - torch.tensor(expected)).abs() <= 4 * std + 1e-6).all()
    # blocks are drawn independently: no correlation between 2 and 8
    cov = ((draws[:, 1] - mean[1]) * (draws[:, 7] - mean[7])).mean()
    assert abs(cov) < 0.03


def test_stochastic_depth_scales_the_branch_only():
    model = sg()
    model.train()
    sd = model.views.sd
    block = sd.blocks[2]  # layer2.0: conv shortcut
    x = torch.randn(4, 8, 28, 28)
    branch = block.norm2(block.conv2(block.relu(block.norm1(
        block.conv1(x)))))
    identity = block.downsample(x)
    p = sd.survival[2]
    with sd.test_rule():
        assert torch.allclose(block(x), torch.relu(p * branch + identity),
                              atol=1e-5)
    scales = [1.0] * 8
    scales[2] = 0.0
    with sd.scaled(scales):
        assert torch.allclose(block(x), torch.relu(identity), atol=1e-6)
    # outside a context the block is the plain block
    assert torch.allclose(block(x), torch.relu(branch + identity), atol=1e-5)
    with pytest.raises(StochasticDepthError, match='3 scales for 8'):
        with sd.scaled([1.0] * 3):
            pass


def test_deep_copy_keeps_its_own_stochastic_depth():
    """An EMA-style deep copy scales its own blocks and exports its own
    folded weights."""
    import copy
    model = sg()
    twin = copy.deepcopy(model)
    assert twin.views.sd is not model.views.sd
    x = torch.randn(2, 8, 28, 28)
    twin.eval(), model.eval()
    block, twin_block = model.views.sd.blocks[2], twin.views.sd.blocks[2]
    plain = block(x)
    with twin.views.sd.scaled([0.0] * 8):
        assert torch.allclose(block(x), plain)  # the original is untouched
        assert not torch.allclose(twin_block(x), plain)
    with torch.no_grad():
        twin.student.head.fc.bias.add_(1.0)
    exported = twin.student.deploy_state_dict()
    assert torch.equal(exported['head.fc.bias'],
                       twin.student.head.fc.bias)


@pytest.mark.parametrize('kwargs, match', [
    (dict(survival_last=0.0), 'survival_last must be in'),
    (dict(survival=[0.9] * 3), 'one probability in'),
    (dict(backbone='head'), 'no residual blocks'),
])
def test_stochastic_depth_errors(kwargs, match):
    with pytest.raises(StochasticDepthError, match=match):
        sg(**kwargs)


def test_mmpretrain_drop_path_is_refused():
    with pytest.raises(StochasticDepthError, match='drop_path_rate=0'):
        make(dict(type='kdbench.SelfGuidanceView'), drop_path_rate=0.1)


# ------------------------------------------------------------ Self-Guidance
def test_self_guidance_losses_match_independent_math(monkeypatch):
    model = sg()
    model.train()
    sd = model.views.sd
    keep = torch.tensor([1., 0., 1., 1., 0., 1., 0., 1.])
    monkeypatch.setattr(sd, 'sample', lambda generator=None: keep.clone())
    data = batch(model)
    losses = model(**data, mode='loss')
    assert set(losses) == {'student.loss', 'distill.loss_sub',
                           'distill.loss_kd', 'distill.kept_blocks'}
    y = labels(data)
    _, _, z_t = manual_forward(model.student, data['inputs'], sd.survival)
    _, _, z_s = manual_forward(model.student, data['inputs'], keep)
    assert torch.allclose(losses['student.loss'], F.cross_entropy(z_t, y),
                          atol=1e-5)
    assert torch.allclose(losses['distill.loss_sub'],
                          F.cross_entropy(z_s, y), atol=1e-5)
    assert torch.allclose(losses['distill.loss_kd'],
                          0.25 * kl_t2(z_t, z_s, 3.0), atol=1e-5)
    assert losses['distill.loss_kd'] > 1e-3  # the two passes differ
    assert losses['distill.kept_blocks'].item() == 5


def test_self_guidance_sub_pass_leaves_bn_statistics_to_the_full_pass(
        monkeypatch):
    """The deployed (full) network's BN running statistics are those of
    its own passes, as in a plain student's training: the sampled
    sub-network's pass leaves them (the ablation flag lets it update)."""
    import copy
    keep = torch.tensor([1., 0., 1., 1., 0., 1., 0., 1.])

    def stats(module):
        return {k: v.clone() for k, v in module.state_dict().items()
                if 'running_' in k}

    for updates in (False, True):
        model = sg(sub_updates_bn_stats=updates)
        model.train()
        monkeypatch.setattr(model.views.sd, 'sample',
                            lambda generator=None: keep.clone())
        data = batch(model)
        # the full pass alone, under the test rule, on a copy
        alone = copy.deepcopy(model)
        with alone.views.full_pass(alone.student):
            alone.student(data['inputs'], data['data_samples'], mode='loss')
        model(**data, mode='loss')
        got, want = stats(model.student), stats(alone.student)
        same = all(torch.equal(got[k], want[k]) for k in want)
        assert same is (not updates)
        # momenta are restored after the sub pass
        assert all(m.momentum == 0.1 for m in model.student.modules()
                   if isinstance(m, torch.nn.BatchNorm2d))


def test_self_guidance_teacher_detached_by_default(monkeypatch):
    grads = {}
    for detach in (True, False):
        model = sg(kd=dict(detach_teacher=detach))
        model.train()
        keep = torch.tensor([1., 0., 1., 1., 0., 1., 0., 1.])
        monkeypatch.setattr(model.views.sd, 'sample',
                            lambda generator=None: keep.clone())
        # record the teacher (full-pass) logits the KL receives
        seen = []
        kd_forward = model.views.kd.forward
        monkeypatch.setattr(model.views.kd, 'forward', lambda s, t: (
            seen.append(t), t.retain_grad(), kd_forward(s, t))[-1])
        losses = model(**batch(model), mode='loss')
        losses['distill.loss_kd'].backward()
        teacher_logits = seen[0]
        assert teacher_logits.requires_grad  # same weights, grad enabled
        if detach:
            assert teacher_logits.grad is None
        else:
            assert teacher_logits.grad.abs().sum() > 0
        grads[detach] = model.student.head.fc.weight.grad.clone()
    assert not torch.allclose(grads[True], grads[False])


def test_self_guidance_export_folds_the_test_rule():
    model = sg()
    model.eval()
    data = batch(model)
    # the export hook takes the folded weights from the deployable network
    net = deployable_model(model)
    assert net is model.student
    folded = net.deploy_state_dict()
    raw = model.student.state_dict()
    assert folded.keys() == raw.keys()
    # last BN of block l (layer2.0 is block 2) scaled by p_l, rest equal
    p = model.views.sd.survival[2]
    key = 'backbone.layer2.0.bn2.weight'
    assert torch.allclose(folded[key], p * raw[key])
    assert torch.equal(folded['backbone.layer2.0.bn1.weight'],
                       raw['backbone.layer2.0.bn1.weight'])
    plain = build_model(BASELINE_CFG, 'student').eval()
    plain.load_state_dict(folded, strict=True)
    with torch.no_grad():
        ours = model(data['inputs'], mode='tensor')
        _, _, manual = manual_forward(model.student, data['inputs'],
                                      model.views.sd.survival)
        assert torch.allclose(ours, manual, atol=1e-5)
        assert torch.allclose(ours, plain(data['inputs'], mode='tensor'),
                              atol=1e-5)
        # unfolded weights would compute something else
        plain.load_state_dict(raw, strict=True)
        assert not torch.allclose(ours, plain(data['inputs'], mode='tensor'),
                                  atol=1e-3)
    assert not any(k.startswith('views') for k in model.state_dict())


def test_online_kd_loss_gradient_switch():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(5, 7, generator=g, requires_grad=True)
    t = torch.randn(5, 7, generator=g, requires_grad=True)
    tau, w = 3.0, 0.25
    detached = MODELS.build(dict(type='kdbench.OnlineKDLoss', tau=tau,
                                 loss_weight=w))
    attached = MODELS.build(dict(type='kdbench.OnlineKDLoss', tau=tau,
                                 loss_weight=w, detach_teacher=False))
    kd = MODELS.build(dict(type='kdbench.KDLoss', tau=tau, loss_weight=w))
    ref = w * kl_t2(t, s, tau)
    for loss in (detached, attached):
        assert torch.allclose(loss(s, t), ref, atol=1e-6)
    assert torch.allclose(detached(s, t), kd(s, t))
    detached(s, t).backward()
    assert t.grad is None and s.grad is not None
    attached(s, t).backward()
    # d/dz^t of w·τ²·KL(p‖q), mean over N: w·τ·p·(log p − log q − KL)/N
    p, q = torch.softmax(t / tau, 1), torch.softmax(s / tau, 1)
    kl = (p * (p.log() - q.log())).sum(1, keepdim=True)
    expected = w * tau * p * (p.log() - q.log() - kl) / 5
    assert torch.allclose(t.grad, expected, atol=1e-6)
    none = attached.__class__(tau=tau, loss_weight=w, reduction='none',
                              detach_teacher=False)
    assert torch.allclose(none(s, t).mean(), ref, atol=1e-6)
    assert 'detach_teacher=False' in repr(attached)


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
    assert cfg.train_dataloader.batch_size == 128
    if 'byot' in path:
        assert cfg.train_cfg.max_epochs == 250
        assert built.views.branches['layer1'].fc.in_features == 512
    else:
        assert cfg.train_cfg.max_epochs == 300
        assert cfg.optim_wrapper.optimizer.nesterov
        assert built.views.kd.tau == 3.0 and built.views.kd.loss_weight == 0.25


@pytest.mark.parametrize('path', [BYOT_MINI, SG_MINI])
def test_mini_config_trains_and_exports(path, tmp_path, fmnist_ready):
    base = Config.fromfile(osp.join(REPO, BASELINE_CFG))
    cfg = Config.fromfile(osp.join(REPO, path))
    # the budget of the plain student
    assert cfg.train_cfg == base.train_cfg
    assert cfg.train_dataloader.batch_size == base.train_dataloader.batch_size
    assert cfg.optim_wrapper == base.optim_wrapper
    work = str(tmp_path / 'run')
    options = ['train_dataloader.dataset.indices=64',
               'val_dataloader.dataset.indices=100',
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
               'param_scheduler.1.end=1', 'default_hooks.logger.interval=1']
    proc = run_tool(['tools/train.py', path, '--work-dir', work,
                     '--cfg-options', *options], timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'accuracy/top1' in log and 'student.loss' in log
    keys = (('distill.loss_ce_layer1', 'distill.loss_kd_layer3',
             'distill.loss_hint_layer2') if 'byot' in path else
            ('distill.loss_sub', 'distill.loss_kd', 'distill.kept_blocks'))
    for key in keys:
        assert key in log, key
    weights = load_checkpoint_file(osp.join(work, 'weights.pth'))
    plain = build_model(BASELINE_CFG, 'student')
    plain.load_state_dict(weights['state_dict'], strict=True)
    if 'self-guidance' in path:
        # the training checkpoint holds the unfolded network: the export
        # is it with the last BN of the last block scaled by p_L = 0.5
        ckpt = load_checkpoint_file(osp.join(work, 'epoch_1.pth'),
                                    weights_only=False)['state_dict']
        key = 'backbone.layer4.1.bn2.bias'
        assert torch.allclose(weights['state_dict'][key],
                              0.5 * ckpt[f'student.{key}'])
