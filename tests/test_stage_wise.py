"""Stage-wise family: AB / FSP / FT losses against independent math,
multi-tap losses in the distiller, StageWiseDistiller stage switching
(gradients, BN modes, skipped forwards), TrainingStageHook, and tiny
end-to-end runs of the ft / ab / fsp / sskd mini configs."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

import kdbench  # noqa: F401
from kdbench.distillers import (DistillerConfigError, ShapeMismatchError,
                                build_model)
from kdbench.engine.hooks import TrainingStageHook
from kdbench.losses import (ActivationBoundaryLoss, FactorTransferLoss,
                            FSPLoss, fsp_matrix)
from kdbench.registry import MODELS

from conftest import BASELINE_CFG, REPO, run_tool

FSP_CFG = 'configs/cls/fsp/fsp_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py'
AB_CFG = 'configs/cls/ab/ab_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py'
FT_CFG = 'configs/cls/ft/ft_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py'
SSKD_CFG = 'configs/cls/sskd/sskd_r18-w16_r18-w8_1xb64-5x1.8e_fmnist-mini.py'


# ---------------------------------------------------------------- losses
def test_ab_loss_hand_computed():
    t = torch.tensor([[1.0, -2.0, 0.5, -0.1]])
    s = torch.tensor([[0.5, 0.2, 2.0, -1.5]], requires_grad=True)
    # active (t > 0): (1 - s)+ = 0.5, 0 ; inactive: (1 + s)+ = 1.2, 0
    loss = ActivationBoundaryLoss(margin=1.0)(s, t)
    assert loss.item() == pytest.approx(0.5 ** 2 + 1.2 ** 2)
    loss.backward()
    # dL/ds = -2(μ - s) where active and short, 2(μ + s) where inactive
    assert torch.allclose(s.grad, torch.tensor([[-1.0, 2.4, 0.0, 0.0]]))


def test_ab_loss_batch_mean_weight_and_margin():
    t = torch.tensor([[1.0], [-1.0]])
    s = torch.tensor([[0.0], [0.0]])
    # each sample: hinge 2 -> 4; mean over the batch of 2 is 4, x 0.5
    loss = ActivationBoundaryLoss(margin=2.0, loss_weight=0.5)(s, t)
    assert loss.item() == pytest.approx(2.0)
    with pytest.raises(ValueError, match='margin'):
        ActivationBoundaryLoss(margin=-1)


def test_fsp_matrix_by_loops_and_max_pool():
    torch.manual_seed(0)
    first, last = torch.randn(2, 3, 4, 4), torch.randn(2, 5, 2, 2)
    pooled = F.max_pool2d(first, 2)  # larger map pooled to the smaller
    expected = torch.zeros(2, 3, 5)
    for n in range(2):
        for i in range(3):
            for j in range(5):
                expected[n, i, j] = (pooled[n, i] * last[n, j]).mean()
    assert torch.allclose(fsp_matrix(first, last), expected, atol=1e-6)


def test_fsp_loss_sum_and_mean_reductions():
    torch.manual_seed(1)
    s = [torch.randn(2, 3, 4, 4), torch.randn(2, 4, 4, 4)]
    t = [torch.randn(2, 3, 4, 4), torch.randn(2, 4, 4, 4)]
    g_s = torch.einsum('nihw,njhw->nij', *s) / 16
    g_t = torch.einsum('nihw,njhw->nij', *t) / 16
    summed = ((g_t - g_s) ** 2).sum() / 2
    assert FSPLoss()(s, t).item() == pytest.approx(summed.item(), rel=1e-5)
    assert FSPLoss(reduction='mean', loss_weight=3.0)(s, t).item() == \
        pytest.approx(3 * summed.item() * 2 / (2 * 12), rel=1e-5)
    assert 'equal channels' in FSPLoss().shape_problem(
        [(2, 3, 4, 4), (2, 4, 4, 4)], [(2, 6, 4, 4), (2, 4, 4, 4)])


def test_factor_transfer_phases():
    torch.manual_seed(2)
    loss = FactorTransferLoss(in_channels=8, factor=0.5, p=1,
                              loss_weight=0.5)
    teacher = torch.randn(2, 8, 3, 3)
    loss.set_phase('paraphrase')
    loss.train()
    assert not loss.uses_student
    rec = loss(None, teacher)
    assert torch.isclose(rec, F.mse_loss(loss.paraphraser(teacher), teacher))
    rec.backward()
    assert loss.paraphraser.encoder[0][0].weight.grad is not None

    loss.zero_grad(set_to_none=True)
    loss.set_phase('transfer')
    assert loss.uses_student and not loss.paraphraser.training
    student = torch.randn(2, 4, 3, 3, requires_grad=True)
    value = loss(student, teacher)
    factor_t = loss.paraphraser.encoder(teacher).detach().flatten(1)
    ft = factor_t / factor_t.norm(dim=1, keepdim=True)
    fs = student.flatten(1) / student.flatten(1).norm(dim=1, keepdim=True)
    expected = 0.5 * (ft - fs).abs().sum(dim=1).mean()
    assert torch.isclose(value, expected, atol=1e-6)
    value.backward()
    assert student.grad is not None
    assert all(p.grad is None for p in loss.paraphraser.parameters())
    with pytest.raises(ValueError, match='phase must be one of'):
        loss.set_phase('warmup')


# -------------------------------------------------------- distiller glue
def _build(cfg_path, teacher_ckpt, **model_updates):
    cfg = Config.fromfile(osp.join(REPO, cfg_path))
    model = cfg.model.to_dict()
    model['teacher_checkpoint'] = teacher_ckpt
    model.update(model_updates)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(model)


def _batch(n=4):
    torch.manual_seed(0)
    return (torch.randn(n, 1, 28, 28),
            [DataSample().set_gt_label(i % 10) for i in range(n)])


def _count_forwards(module):
    calls = []
    module.register_forward_hook(lambda *args: calls.append(1))
    return calls


def test_multi_tap_loss_needs_lists(random_teacher_ckpt):
    bad = dict(fsp=dict(type='kdbench.FSPLoss', student='backbone.layer1',
                        teacher='backbone.layer1'))
    with pytest.raises(DistillerConfigError, match=r'takes 2 tap\(s\)'):
        _build(FSP_CFG, random_teacher_ckpt, distill_losses=bad,
               stages=[dict(end=4, trainable=['student'])])
    bad = dict(fsp=dict(type='kdbench.FSPLoss',
                        student=['backbone.layer1', 'backbone.layer2'],
                        teacher=['backbone.layer1', 'backbone.layer2'],
                        connector=dict(type='kdbench.ConvAdapter')))
    with pytest.raises(DistillerConfigError, match='one entry per student'):
        _build(FSP_CFG, random_teacher_ckpt, distill_losses=bad,
               stages=[dict(end=4, trainable=['student'])])


def test_multi_tap_channel_mismatch_names_fix(random_teacher_ckpt):
    plain = dict(fsp=dict(type='kdbench.FSPLoss',
                          student=['backbone.layer1', 'backbone.layer2'],
                          teacher=['backbone.layer1', 'backbone.layer2']))
    model = _build(FSP_CFG, random_teacher_ckpt, distill_losses=plain,
                   stages=[dict(end=4, losses=['fsp'], task_loss=False,
                                trainable=['student'])])
    model.set_stage(0)
    with pytest.raises(ShapeMismatchError, match='ConvAdapter'):
        model.loss(*_batch())


def test_fsp_stages_route_gradients(random_teacher_ckpt):
    model = _build(FSP_CFG, random_teacher_ckpt)
    assert len(model.connectors['fsp1']) == 2  # one chain per student tap
    teacher_calls = _count_forwards(model.teacher)
    model.train()
    model.set_stage(0)
    losses = model.loss(*_batch())
    assert set(losses) == {'distill.loss_fsp1', 'distill.loss_fsp2',
                           'distill.loss_fsp3'}
    sum(losses.values()).backward()
    grads = {n for n, p in model.named_parameters() if p.grad is not None}
    assert any(n.startswith('student.backbone.layer1') for n in grads)
    assert any(n.startswith('connectors.fsp3') for n in grads)
    assert not any(n.startswith('student.head') for n in grads)
    assert not model.student.head.fc.weight.requires_grad
    assert len(teacher_calls) == 1

    model.zero_grad(set_to_none=True)
    model.set_stage(1)
    losses = model.loss(*_batch())
    assert losses['distill.loss_fsp1'].item() == 0  # logged as inactive
    assert len(teacher_calls) == 1  # no distillation loss: teacher skipped
    sum(v for v in losses.values() if v.requires_grad).backward()
    grads = {n for n, p in model.named_parameters() if p.grad is not None}
    assert 'student.head.fc.weight' in grads
    assert not any(n.startswith('connectors') for n in grads)


def test_sskd_freezes_earlier_stages_in_eval_mode(random_teacher_ckpt):
    model = _build(SSKD_CFG, random_teacher_ckpt)
    model.train()
    model.set_stage(1)  # mimic stage 2
    backbone = model.student.backbone
    assert not backbone.layer1[0].bn1.training  # frozen: BN statistics kept
    assert backbone.layer2[0].bn1.training
    stats = backbone.layer1[0].bn1.running_mean.clone()
    losses = model.loss(*_batch())
    assert set(k for k, v in losses.items() if v.requires_grad) == \
        {'distill.loss_sskd2'}
    sum(losses.values()).backward()
    assert torch.equal(stats, backbone.layer1[0].bn1.running_mean)
    grads = {n for n, p in model.named_parameters() if p.grad is not None}
    assert grads and all(n.startswith(('student.backbone.layer2',
                                       'connectors.sskd2')) for n in grads)
    model.set_stage(4)  # head
    assert not backbone.layer4[0].bn1.training
    assert model.student.head.fc.weight.requires_grad
    assert not backbone.conv1.weight.requires_grad


def test_ft_paraphraser_stage_skips_the_student(random_teacher_ckpt):
    model = _build(FT_CFG, random_teacher_ckpt)
    student_calls = _count_forwards(model.student)
    model.train()
    model.set_stage(0)
    losses = model.loss(*_batch())
    assert not student_calls
    losses['distill.loss_ft'].backward()
    grads = {n for n, p in model.named_parameters() if p.grad is not None}
    assert grads and all(n.startswith('distill_losses.ft.paraphraser')
                         for n in grads)
    model.set_stage(1)
    assert not model.distill_losses.ft.paraphraser.training
    model.loss(*_batch())
    assert len(student_calls) == 1


def test_stage_config_errors(random_teacher_ckpt):
    with pytest.raises(DistillerConfigError, match='not in distill_losses'):
        _build(FSP_CFG, random_teacher_ckpt,
               stages=[dict(end=4, losses=['fsp9'], trainable=['student'])])
    with pytest.raises(DistillerConfigError, match='Closest valid prefixes'):
        _build(FSP_CFG, random_teacher_ckpt,
               stages=[dict(end=4, trainable=['student.backbon'])])
    with pytest.raises(DistillerConfigError, match='train nothing'):
        _build(FSP_CFG, random_teacher_ckpt,
               stages=[dict(end=4, task_loss=False, trainable=['student'])])
    with pytest.raises(DistillerConfigError, match='must be after'):
        _build(FSP_CFG, random_teacher_ckpt,
               stages=[dict(end=2, trainable=['student']),
                       dict(end=2, trainable=['student'])])
    with pytest.raises(DistillerConfigError, match='loss_phases'):
        _build(FSP_CFG, random_teacher_ckpt,
               stages=[dict(end=4, loss_phases=dict(fsp1='x'),
                            trainable=['student'])])
    model = _build(FSP_CFG, random_teacher_ckpt)
    with pytest.raises(DistillerConfigError, match='TrainingStageHook'):
        model.loss(*_batch())


def _fake_runner(model, iter_, epoch=0, epoch_len=10, max_epochs=4,
                 lr=0.05, initial_lr=0.1):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr)
    optimizer.param_groups[0]['initial_lr'] = initial_lr
    logs = []
    return SimpleNamespace(
        model=model, iter=iter_, epoch=epoch, max_epochs=max_epochs,
        max_iters=max_epochs * epoch_len, train_dataloader=[0] * epoch_len,
        train_loop=SimpleNamespace(),
        optim_wrapper=SimpleNamespace(optimizer=optimizer),
        message_hub=SimpleNamespace(update_info=lambda *a: None),
        logger=SimpleNamespace(info=logs.append)), optimizer


def test_stage_hook_switches_checks_length_and_restarts_lr(
        random_teacher_ckpt):
    model = _build(FSP_CFG, random_teacher_ckpt)
    hook = TrainingStageHook(restart_lr=True)
    runner, _ = _fake_runner(model, 0, max_epochs=3)
    with pytest.raises(ValueError, match=r'stages end at \[1, 4\]'):
        hook.before_train(runner)
    runner, optimizer = _fake_runner(model, 35, epoch=3)  # resumed mid-stage
    hook.before_train(runner)
    hook.before_train_iter(runner, 5)
    assert model.stage_index == 1
    assert optimizer.param_groups[0]['lr'] == 0.05  # kept from the resume
    model.stage_index = 0
    runner, optimizer = _fake_runner(model, 10, epoch=1)  # stage 1 starts
    hook.before_train_iter(runner, 0)
    assert model.stage_index == 1
    assert optimizer.param_groups[0]['lr'] == 0.1


# ---------------------------------------------------------- end to end
_TINY = ['train_dataloader.dataset.indices=128', 'val_dataloader.dataset'
         '.indices=100', 'default_hooks.logger.interval=1']


@pytest.mark.parametrize('config', [FT_CFG, AB_CFG, FSP_CFG, SSKD_CFG])
def test_stage_wise_mini_config_trains_and_exports(
        config, tmp_path, fmnist_ready, random_teacher_ckpt):
    options = list(_TINY)
    if config == SSKD_CFG:  # 2 iterations per epoch: scale the stage ends
        options += [f'model.stages.{i}.end={end}'
                    for i, end in enumerate([1, 2, 3, 4, 6])]
        options += ['param_scheduler.0.periods=[1,1,1,1,2]',
                    'train_cfg.max_epochs=3']
    work = str(tmp_path / 'work')
    proc = run_tool(['tools/train.py', config, '--work-dir', work,
                     '--cfg-options', *options,
                     f'model.teacher_checkpoint={random_teacher_ckpt}'])
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'stage 1 (' in log and 'accuracy/top1' in log
    assert 'loss: nan' not in log
    saved = torch.load(osp.join(work, 'weights.pth'), weights_only=True)
    student = build_model(osp.join(REPO, BASELINE_CFG), 'student')
    student.load_state_dict(saved['state_dict'], strict=True)
