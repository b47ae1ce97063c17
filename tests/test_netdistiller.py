"""NetDistiller: the one-sided PCGrad projection, the entropy switch (in
bits), the surgery in train_step, separate BNs, and the export."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

import kdbench  # noqa: F401
from kdbench.registry import MODELS
from kdbench.tiny import entropy_bits, project_conflicting

from test_netaug import batch


def netdistiller(**kwargs):
    cfg = dict(
        type='kdbench.NetDistillerClassifier',
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                               num_classes=10, mean=[0.0] * 3,
                               std=[1.0] * 3),
        backbone=dict(type='kdbench.SliceableMobileNetV2',
                      widen_factor=0.35, width_mults=(1.0, 3.0),
                      norm_sets=('student', 'teacher')),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                  in_channels=1280,
                  loss=dict(type='mmpretrain.LabelSmoothLoss',
                            label_smooth_val=0.1)),
        **kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def test_projection_by_hand_in_both_cases():
    # conflict: g_t = (1, 0), g_s = (-1, 1): g_t·g_s = -1, |g_s|² = 2,
    # g_t - (-1 / 2)·g_s = (0.5, 0.5), orthogonal to g_s
    g_t, g_s = torch.tensor([1.0, 0.0]), torch.tensor([-1.0, 1.0])
    projected, conflict = project_conflicting(g_t, g_s)
    assert conflict
    assert torch.allclose(projected, torch.tensor([0.5, 0.5]))
    assert float(projected @ g_s) == pytest.approx(0.0)
    # no conflict (cos > 0): unchanged, and the student's is never touched
    g_t = torch.tensor([[1.0, 1.0]])
    same, conflict = project_conflicting(g_t, torch.tensor([[1.0, 0.0]]))
    assert not conflict and same is g_t


def test_entropy_is_in_bits():
    assert float(entropy_bits(torch.zeros(1, 8))) == pytest.approx(3.0)
    assert float(entropy_bits(torch.tensor([[50.0, 0.0, 0.0]]))) < 1e-6
    # 1000 classes smoothed with 0.1 (METHODS §5.2): 0.9001 on one class,
    # 1e-4 on 999: 0.9001·log2(1/0.9001) + 0.0999·log2(1e4) = 1.464 bits
    p = torch.full((1, 1000), 0.1 / 1000)
    p[0, 0] += 0.9
    assert float(entropy_bits(p.log())) == pytest.approx(1.4641, abs=1e-3)


def test_uncertain_images_are_distilled_the_others_use_the_label():
    model = netdistiller(uncertainty_threshold=1.0).train()
    inputs, samples = batch(n=2)
    s_logits = torch.tensor([[0.0] * 10,  # uniform: 3.32 bits -> KD
                             [9.0] + [0.0] * 9])  # peaked: < 1 bit -> CE
    t_logits = torch.randn(2, 10)
    model._logits = lambda x, role: (t_logits if role == 'teacher'
                                     else s_logits)
    loss_stu, loss_tea, extra = model.role_losses(inputs, samples)
    target = torch.cat([s.gt_label for s in samples])
    p_t = F.softmax(t_logits, -1)
    kd0 = (p_t[0] * (p_t[0].log() - F.log_softmax(s_logits[0], -1))).sum()
    # label smoothing 0.1 over 10 classes: 0.91 on the label, 0.01 elsewhere
    smooth = torch.full((10, ), 0.01)
    smooth[target[1]] = 0.91
    ce1 = -(smooth * F.log_softmax(s_logits[1], -1)).sum()
    assert float(loss_stu) == pytest.approx(float((kd0 + ce1) / 2),
                                            rel=1e-5)
    assert float(extra['kd_ratio']) == 0.5
    model.uncertainty_threshold = None  # always distill
    assert float(model.role_losses(inputs, samples)[2]['kd_ratio']) == 1.0
    # label warm-up: every image takes the label loss, UD or not
    model.label_warmup = True
    loss_stu, _, extra = model.role_losses(inputs, samples)
    smooth0 = torch.full((10, ), 0.01)
    smooth0[target[0]] = 0.91
    ce0 = -(smooth0 * F.log_softmax(s_logits[0], -1)).sum()
    assert float(extra['kd_ratio']) == 0.0
    assert float(loss_stu) == pytest.approx(float((ce0 + ce1) / 2),
                                            rel=1e-5)


def test_schedule_hook_warms_the_student_up_on_labels_then_distills():
    from types import SimpleNamespace
    from kdbench.tiny import NetDistillerScheduleHook
    model = netdistiller(uncertainty_threshold=1.25)
    runner = SimpleNamespace(model=model, iter=0, max_iters=200,
                             logger=SimpleNamespace(info=lambda m: None))
    hook = NetDistillerScheduleHook(label_warmup=0.05)
    seen = []
    for it in (0, 9, 10, 11, 199):
        runner.iter = it
        hook.before_train_iter(runner, 0)
        seen.append(model.label_warmup)
    assert seen == [True, True, False, False, False]  # 0.05 x 200 = 10
    runner.iter = 0
    NetDistillerScheduleHook().before_train_iter(runner, 0)
    assert not model.label_warmup  # the paper: distil from step 0
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match='label_warmup'):
            NetDistillerScheduleHook(label_warmup=bad)


def test_train_step_uses_student_gradient_plus_projected_teacher():
    model = netdistiller().train()
    inputs, samples = batch()
    data = dict(inputs=list((inputs * 50 + 128).clamp(0, 255).byte()),
                data_samples=samples)
    # the expected gradient, tensor by tensor, from the same batch
    processed = model.data_preprocessor(data, True)
    loss_stu, loss_tea, _ = model.role_losses(**processed)
    params = [p for p in model.parameters() if p.requires_grad]
    g_s = torch.autograd.grad(loss_stu, params, retain_graph=True,
                              allow_unused=True)
    g_t = torch.autograd.grad(loss_tea, params, allow_unused=True)
    from kdbench.tiny.dynamic_ops import DynamicConv2d
    conv_weights = {id(m.weight) for m in model.modules()
                    if isinstance(m, DynamicConv2d)}
    expected, conflicts, shared = [], 0, 0
    for p, gs, gt in zip(params, g_s, g_t):
        if gs is not None and gt is not None and id(p) in conv_weights:
            shared += 1
            conflicts += int(float((gs * gt).sum()) < 0)
        if gs is not None and gt is not None:
            gt = project_conflicting(gt, gs)[0]
        parts = [g for g in (gs, gt) if g is not None]
        expected.append(sum(parts) if parts else None)
    before = [p.detach().clone() for p in params]
    optim = build_optim_wrapper(model, dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=1.0)))
    log_vars = model.train_step(data, optim)
    # the logged ratio is the share of shared conv weights whose two
    # gradients point apart; this batch has some, so the projected branch
    # of train_step is exercised
    assert shared > 10 and 0 < conflicts < shared
    assert float(log_vars['conflict_ratio']) == pytest.approx(
        conflicts / shared)
    assert set(log_vars) >= {'loss', 'loss_student', 'loss_teacher',
                             'kd_ratio'}
    for p, p0, g in zip(params, before, expected):
        step = p0 - p.detach()  # SGD lr 1: the step is the gradient
        if g is None:
            assert torch.equal(step, torch.zeros_like(step))
        else:
            assert torch.allclose(step, g, atol=1e-5)
    # student and teacher BNs are separate sets, both moved
    bn = model.backbone.conv1.bn.norms
    assert not torch.equal(bn['student'].running_mean,
                           bn['teacher'].running_mean[:16])


def test_deployed_student_loads_into_the_plain_classifier():
    from test_netaug import classifier
    model = netdistiller().eval()
    plain = classifier(netaug=False).eval()
    plain.load_state_dict(model.deploy_state_dict(), strict=True)
    inputs, _ = batch()
    # the teacher is 3x every width group, final conv included; the shared
    # classifier reads the first 1280 of its 3840 features for the student
    model.use_role('teacher')
    assert model.extract_feat(inputs)[-1].shape[1] == 3840
    model.use_role('student')
    assert torch.allclose(plain(inputs, mode='tensor'),
                          model(inputs, mode='tensor'), atol=1e-5)


def test_a_backbone_without_teacher_norms_is_refused():
    with pytest.raises(TypeError, match="norm_sets=\\('student', 'teacher'"):
        MODELS.build(dict(
            type='kdbench.NetDistillerClassifier',
            backbone=dict(type='kdbench.SliceableMobileNetV2',
                          width_mults=(1.0, 3.0)),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                      in_channels=1280)))


def test_external_teacher_kd_joins_the_student_loss(tmp_path):
    """netdistiller_kd: w·T²·KL(p_ext ‖ p_stu) is added to the student's
    loss; the external teacher is frozen and outside the state dict."""
    from kdbench.compat import save_weights
    from test_netaug import classifier, classifier_cfg
    teacher = classifier(netaug=False).eval()
    ckpt = str(tmp_path / 'teacher.pth')
    save_weights(teacher.state_dict(), ckpt)
    model = netdistiller(teacher=classifier_cfg(False),
                         teacher_checkpoint=ckpt,
                         teacher_kd=dict(tau=2.0, loss_weight=0.5)).train()
    assert not any(k.startswith('_external') for k in model.state_dict())
    external = model._external[0]
    assert not external.training and \
        not any(p.requires_grad for p in external.parameters())
    inputs, samples = batch(n=2)
    s_logits, t_logits = torch.randn(2, 10), torch.randn(2, 10)
    model._logits = lambda x, role: (t_logits if role == 'teacher'
                                     else s_logits)
    with_kd, _, extra = model.role_losses(inputs, samples)
    model._external = []
    without, _, _ = model.role_losses(inputs, samples)
    with torch.no_grad():
        e_logits = teacher(inputs, mode='tensor')
    p_e = F.softmax(e_logits / 2, -1)
    kl = (p_e * (p_e.log() - F.log_softmax(s_logits / 2, -1))).sum(-1).mean()
    assert float(with_kd - without) == pytest.approx(float(0.5 * 4 * kl),
                                                     rel=1e-5)
    assert float(extra['external_kd']) == pytest.approx(float(0.5 * 4 * kl),
                                                        rel=1e-5)


def test_external_teacher_with_another_normalisation_is_refused(tmp_path):
    from kdbench.distillers import DistillerConfigError
    from test_netaug import classifier_cfg
    teacher = classifier_cfg(False)
    teacher['data_preprocessor']['std'] = [58.4, 57.1, 57.4]
    with pytest.raises(DistillerConfigError,
                       match=r'input std \[58.4.*preprocessed with \[1.0'):
        netdistiller(teacher=teacher, teacher_checkpoint=None)


def test_normalisation_mismatch_by_hand():
    from types import SimpleNamespace as NS
    from kdbench.distillers.model_refs import normalisation_mismatch
    own = NS(mean=torch.tensor([1.0, 2.0, 3.0]), std=torch.ones(3))
    assert normalisation_mismatch(own, NS(mean=own.mean.clone(),
                                          std=own.std.clone())) is None
    # one channel off, and a different number of channels
    assert 'input mean [1.0, 2.0, 4.0]' in normalisation_mismatch(
        own, NS(mean=torch.tensor([1.0, 2.0, 4.0]), std=own.std))
    assert 'input std [1.0]' in normalisation_mismatch(
        own, NS(mean=own.mean, std=torch.ones(1)))
    # a preprocessor without mean/std (no normalisation stated) passes
    assert normalisation_mismatch(own, None) is None


def test_bn_recalibration_re_estimates_the_student_and_keeps_the_teacher():
    """NetDistiller evaluates and exports the student: BN re-estimation
    must re-estimate the student's norm set (its leading channels, as the
    exported student re-estimated with PyTorch's BatchNorm2d) and leave
    the teacher's separate set exactly as training left it."""
    from kdbench.engine.hooks import recalibrate_batchnorm
    from test_netaug import _image_batches, _running_stats, classifier
    model = netdistiller().train()
    inputs, samples = batch()
    model.loss(inputs, samples)  # moves both norm sets
    before = {k: v.clone() for k, v in model.state_dict().items()}
    teacher = {k: v for k, v in before.items() if '.norms.teacher.' in k}
    assert teacher and any(
        k.endswith('running_mean') and v.abs().sum() > 0
        for k, v in teacher.items())
    plain = classifier(netaug=False)
    plain.load_state_dict(model.deploy_state_dict(), strict=True)
    batches = _image_batches()
    assert recalibrate_batchnorm(model, batches, num_images=8) == 8
    after = model.state_dict()
    for key, value in teacher.items():
        assert torch.equal(after[key], value), key
    # the student's statistics: those of the exported student re-estimated
    assert recalibrate_batchnorm(plain, batches, num_images=8) == 8
    expected = _running_stats(plain.state_dict())
    got = _running_stats(model.deploy_state_dict())
    assert set(got) == set(expected)
    changed = 0
    for key, value in expected.items():
        assert torch.allclose(got[key], value, rtol=1e-4, atol=1e-5), key
        changed += not torch.allclose(
            got[key], before[key.replace('.norms.default.',
                                         '.norms.student.')][
                :value.shape[0]])
    assert changed > 50
    # the student set's channels beyond the student's width (built for
    # the 3x teacher, never read by the student): untouched as well
    stem = model.backbone.conv1.bn.norms['student']
    width = plain.backbone.conv1.bn.norms['default'].num_features
    assert width < stem.num_features
    key = 'backbone.conv1.bn.norms.student.running_var'
    assert torch.equal(after[key][width:], before[key][width:])
