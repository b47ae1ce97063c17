"""NetAug: the augmented loss and its gradient, the schedule, channel
sorting, BN re-estimation and the export of the tiny classifier."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

import kdbench  # noqa: F401
from kdbench.engine.hooks import recalibrate_batchnorm
from kdbench.registry import MODELS
from kdbench.tiny import NetAugScheduleHook, SliceableMobileNetV2

AUG = dict(width_mults=(1.0, 1.8, 2.6), expand_mults=(1.0, 1.6, 2.2, 2.8))


def classifier_cfg(netaug=True, **backbone) -> dict:
    return dict(
        type='kdbench.NetAugClassifier' if netaug else
        'mmpretrain.ImageClassifier',
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                               num_classes=10, mean=[0.0] * 3,
                               std=[1.0] * 3),
        backbone=dict(type='kdbench.SliceableMobileNetV2',
                      widen_factor=0.35, **backbone),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                  in_channels=1280,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')))


def classifier(netaug=True, **backbone):
    torch.manual_seed(0)
    return MODELS.build(classifier_cfg(netaug, **backbone))


def batch(n=4, size=32, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 3, size, size, generator=g)
    samples = [DataSample().set_gt_label(int(i))
               for i in torch.randint(0, 10, (n, ), generator=g)]
    return inputs, samples


def _grads(model):
    return [p.grad.clone() for p in model.parameters()]


def test_netaug_loss_is_base_plus_one_augmented_network():
    MessageHub.get_current_instance().update_info('iter', 7)
    model = classifier(**AUG).train()
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss', 'aug.loss'}
    config = model.last_aug_config
    assert any(w > 1.0 for w in config['width'][:8]) or \
        any(e > 1.0 for e in config['expand'])
    sum(losses.values()).backward()
    together = _grads(model)
    # the official order: backward the base, then the augmented network
    # (same sampled configuration), one step
    model.zero_grad()
    model.backbone.set_base()
    base = model.head.loss(model.extract_feat(inputs), samples)['loss']
    base.backward()
    model.backbone.set_active(config['width'], config['expand'])
    aug = model.head.loss(model.extract_feat(inputs), samples)['loss']
    aug.backward()
    model.backbone.set_base()
    assert torch.allclose(losses['loss'], base)
    assert torch.allclose(losses['aug.loss'], aug)
    for a, b in zip(together, _grads(model)):
        assert torch.allclose(a, b, atol=1e-6)


def test_sampling_follows_the_iteration_and_the_switches():
    model = classifier(**AUG).train()
    inputs, samples = batch()
    hub = MessageHub.get_current_instance()
    configs = []
    for iteration in (3, 3, 4):
        hub.update_info('iter', iteration)
        model.loss(inputs, samples)
        configs.append(model.last_aug_config)
    assert configs[0] == configs[1] != configs[2]
    model.width_aug = False
    model.loss(inputs, samples)
    assert set(model.last_aug_config['width']) == {1.0}
    model.expand_aug = False
    assert set(model.loss(inputs, samples)) == {'loss'}


def test_sampling_is_seeded_by_the_run_seed():
    """Without ``aug_seed`` the sampler takes the seed mmengine set before
    building the model: the same seed repeats the sequence, another seed
    trains other augmented networks (explicit ``aug_seed`` wins)."""
    inputs, samples = batch()
    hub = MessageHub.get_current_instance()

    def sequence(seed, **extra):
        torch.manual_seed(seed)
        cfg = classifier_cfg(True, **AUG)
        cfg.update(extra)
        model = MODELS.build(cfg).train()
        out = []
        for iteration in range(6):
            hub.update_info('iter', iteration)
            model._sample_augmented()
            out.append(model.last_aug_config)
        return model.aug_seed, out

    seed0, run0 = sequence(0)
    seed1, run1 = sequence(1)
    assert (seed0, seed1) == (0, 1)
    assert sequence(0)[1] == run0
    assert run1 != run0
    assert sequence(1, aug_seed=0) == (0, run0)


def test_netaug_refuses_a_plain_backbone():
    with pytest.raises(TypeError, match='sliceable backbone'):
        MODELS.build(dict(
            type='kdbench.NetAugClassifier',
            backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=0.35),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                      in_channels=1280)))


def test_schedule_hook_stops_width_augmentation_half_way():
    model = classifier(**AUG)
    hook = NetAugScheduleHook(stop_width_aug=0.5)
    logs = []
    runner = SimpleNamespace(model=model, max_iters=10, iter=4,
                             logger=SimpleNamespace(info=logs.append))
    hook.before_train_iter(runner, 0)
    assert model.width_aug and not logs
    runner.iter = 5
    hook.before_train_iter(runner, 0)
    assert not model.width_aug
    assert logs == ['NetAug: width augmentation stops at iteration 5']
    with pytest.raises(ValueError, match='fraction'):
        NetAugScheduleHook(stop_width_aug=75)


def test_channel_sorting_keeps_the_function_and_moves_optimizer_state():
    torch.manual_seed(0)
    net = SliceableMobileNetV2(out_indices=(7, ), **AUG)
    net.set_active(width=2.6, expand=2.8)  # the full network
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.randn(2, 3, 32, 32))[0].sum().backward()
    optimizer.step()
    block = net.layer3[1]
    momentum = optimizer.state[block.project.conv.weight][
        'momentum_buffer'].clone()
    # float64: reordered channels change the summation order, and float32
    # rounding shows through the network's large activations
    net.eval().double()
    importance = block.project.conv.weight.abs().sum(dim=(0, 2, 3))
    x = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    before = net(x)[0]
    hook = NetAugScheduleHook(sort_channels=True)
    hook.before_train_epoch(SimpleNamespace(
        model=SimpleNamespace(backbone=net, width_aug=True),
        optim_wrapper=SimpleNamespace(optimizer=optimizer)))
    assert torch.allclose(net(x)[0], before, rtol=1e-9, atol=1e-9)
    order = importance.argsort(descending=True)
    after = block.project.conv.weight.abs().sum(dim=(0, 2, 3))
    assert torch.all(after[:-1] >= after[1:])
    assert torch.equal(
        optimizer.state[block.project.conv.weight]['momentum_buffer'],
        momentum.index_select(1, order))


def test_bn_recalibration_is_the_average_over_the_images():
    model = classifier(netaug=False).train()
    bn = model.backbone.conv1.bn.norms['default']
    seen_inputs = []
    handle = model.backbone.conv1.bn.register_forward_pre_hook(
        lambda m, args: seen_inputs.append(args[0].detach().clone()))
    batches = [dict(inputs=list(batch(seed=s)[0].mul(255).byte()),
                    data_samples=batch(seed=s)[1]) for s in range(3)]
    used = recalibrate_batchnorm(model, batches, num_images=8)
    handle.remove()
    assert used == 8 and len(seen_inputs) == 2  # 2 batches of 4 images
    assert model.training and bn.momentum == 0.1
    mean = torch.stack([x.mean(dim=(0, 2, 3)) for x in seen_inputs]).mean(0)
    var = torch.stack([x.var(dim=(0, 2, 3), unbiased=True)
                       for x in seen_inputs]).mean(0)
    assert torch.allclose(bn.running_mean, mean, atol=1e-5)
    assert torch.allclose(bn.running_var, var, atol=1e-4)


def test_bn_recalibration_hook_before_a_test_unless_just_done():
    """tools/test.py on a checkpoint: statistics re-estimated before the
    test epoch; after the run's own end-of-training re-estimation, a test in
    the same run leaves them as they were evaluated and exported."""
    from types import SimpleNamespace
    from mmengine.logging import MMLogger
    from kdbench.engine.hooks import BNRecalibrationHook
    model = classifier(netaug=False).train()
    runner = SimpleNamespace(model=model, train_dataloader=_image_batches(),
                             logger=MMLogger.get_current_instance())
    bn = model.backbone.conv1.bn.norms['default']
    hook = BNRecalibrationHook(num_images=8)
    hook.before_test_epoch(runner)
    estimated = bn.running_mean.clone()
    assert not torch.equal(estimated, torch.zeros_like(estimated))
    bn.running_mean.zero_()
    hook.after_train_iter(runner, 0)
    hook.after_train(runner)  # stale after a step: re-estimated
    assert torch.allclose(bn.running_mean, estimated)
    bn.running_mean.zero_()
    hook.before_test_epoch(runner)  # just done: left alone
    assert torch.equal(bn.running_mean, torch.zeros_like(estimated))


def _image_batches(count=3, n=4):
    """Batches as a dataloader yields them (uint8 images, data samples)."""
    return [dict(inputs=list(batch(n=n, seed=s)[0].mul(64).add(128)
                             .clamp(0, 255).byte()),
                 data_samples=batch(n=n, seed=s)[1]) for s in range(count)]


def _running_stats(state):
    return {k: v for k, v in state.items()
            if k.endswith(('running_mean', 'running_var'))}


def test_bn_recalibration_of_a_netaug_supernet_re_estimates_the_tiny_slices():
    """The tiny network inside a NetAug supernet reads the leading channels
    of each wider DynamicBatchNorm2d: its re-estimated statistics must be
    the channel averages of what the tiny network feeds those slices (by
    hand from hooked inputs, and the same as re-estimating the exported
    static network with PyTorch's own BatchNorm2d), and the channels only
    the augmented networks use keep their statistics."""
    MessageHub.get_current_instance().update_info('iter', 3)
    model = classifier(**AUG).train()
    inputs, samples = batch()
    model.loss(inputs, samples)  # moves the statistics of every width
    dyn = model.backbone.layer3[1].expand.bn
    full = dyn.norms['default']
    width = model.backbone.layer3[1].expand.conv.active_out  # tiny: base
    assert width < full.num_features  # the sliced path, not the full one
    before = {k: v.clone() for k, v in full.state_dict().items()}
    # the exported tiny network as a plain classifier (full-width BNs)
    plain = classifier(netaug=False)
    plain.load_state_dict(model.deploy_state_dict(), strict=True)
    seen = []
    handle = dyn.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].detach().clone()))
    batches = _image_batches()
    used = recalibrate_batchnorm(model, batches, num_images=8)
    handle.remove()
    assert used == 8 and len(seen) == 2
    assert all(x.shape[1] == width for x in seen)
    mean = torch.stack([x.mean(dim=(0, 2, 3)) for x in seen]).mean(0)
    var = torch.stack([x.var(dim=(0, 2, 3), unbiased=True)
                       for x in seen]).mean(0)
    assert torch.allclose(full.running_mean[:width], mean, atol=1e-5)
    assert torch.allclose(full.running_var[:width], var, rtol=1e-4,
                          atol=1e-5)
    assert int(full.num_batches_tracked) == 2 and full.momentum == 0.1
    # channels of the augmented widths only: untouched
    assert torch.equal(full.running_mean[width:],
                       before['running_mean'][width:])
    assert torch.equal(full.running_var[width:],
                       before['running_var'][width:])
    assert not torch.equal(full.running_mean[:width],
                           before['running_mean'][:width])
    # every BN of the tiny network: as the static network re-estimated
    assert recalibrate_batchnorm(plain, batches, num_images=8) == 8
    expected = _running_stats(plain.state_dict())
    got = _running_stats(model.deploy_state_dict())
    assert set(got) == set(expected) and len(got) > 50
    for key, value in expected.items():
        assert torch.allclose(got[key], value, rtol=1e-4, atol=1e-5), key


def test_bn_recalibration_refuses_a_norm_used_at_two_widths():
    from kdbench.tiny import DynamicBatchNorm2d

    class TwoWidths(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = DynamicBatchNorm2d(16)
            self.data_preprocessor = lambda data, training: data

        def forward(self, inputs, data_samples=None, mode='tensor'):
            return self.bn(inputs[:, :8]), self.bn(inputs)

    model = TwoWidths()
    with pytest.raises(RuntimeError, match='single static network'):
        recalibrate_batchnorm(model, [dict(inputs=torch.randn(2, 16, 4, 4),
                                           data_samples=None)], 2)
    assert model.bn.norms['default'].momentum == 0.1  # restored


def test_deployed_tiny_classifier_loads_into_the_plain_config():
    model = classifier(**AUG)
    model.train()
    inputs, samples = batch()
    MessageHub.get_current_instance().update_info('iter', 1)
    model.loss(inputs, samples)  # moves BN statistics of the slices
    model.eval()
    plain = classifier(netaug=False).eval()
    plain.load_state_dict(model.deploy_state_dict(), strict=True)
    assert torch.allclose(plain(inputs, mode='tensor'),
                          model(inputs, mode='tensor'), atol=1e-5)


def test_the_final_conv_and_the_classifier_input_widen_with_the_network():
    """As NetAug's official code: the final 1x1 conv is a width group and
    the classifier reads the first features it is given, so the tiny
    network's classifier is the first 1280 columns."""
    import torch.nn.functional as F
    from kdbench.tiny import DynamicLinear
    model = classifier(**AUG).train()
    fc = model.head.fc
    assert isinstance(fc, DynamicLinear) and fc.in_features == 3328
    inputs, _ = batch()
    model.backbone.set_active([2.6] * 9, 1.0)
    wide = model.extract_feat(inputs)[-1]
    assert wide.shape[1] == 3328
    assert torch.allclose(model.head((wide, )), F.linear(wide, fc.weight,
                                                     fc.bias))
    model.backbone.set_base()
    tiny = model.extract_feat(inputs)[-1]
    assert torch.allclose(model.head((tiny, )), F.linear(
        tiny, fc.weight[:, :1280], fc.bias))
    assert model.deploy_state_dict()['head.fc.weight'].shape == (10, 1280)


def test_a_head_the_tiny_network_cannot_feed_is_refused():
    cfg = classifier_cfg(True, **AUG)
    cfg['head']['in_channels'] = 1024
    with pytest.raises(ValueError, match='in_channels=1280'):
        MODELS.build(cfg)
    cfg = classifier_cfg(True, **AUG)
    cfg['head'] = dict(type='mmpretrain.StackedLinearClsHead',
                       num_classes=10, in_channels=1280, mid_channels=[64])
    with pytest.raises(TypeError, match='head whose `fc` is an nn.Linear'):
        MODELS.build(cfg)


def test_netaug_kd_distills_the_tiny_network_not_the_augmented_one(
        tmp_path):
    """In netaug_kd the KD tap on head.fc records the base network: NetAug
    runs the augmented network first and the tiny one last."""
    import torch.nn.functional as F
    from kdbench.compat import save_weights
    from kdbench.distillers import SingleTeacherDistiller
    teacher = classifier(netaug=False)
    ckpt = str(tmp_path / 't.pth')
    save_weights(teacher.state_dict(), ckpt)
    student_cfg = classifier_cfg(**AUG)
    torch.manual_seed(1)
    model = SingleTeacherDistiller(
        student=student_cfg, teacher=classifier_cfg(False),
        teacher_checkpoint=ckpt,
        distill_losses=dict(kd=dict(type='kdbench.KDLoss', tau=1.0,
                                    loss_weight=1.0, student='head.fc',
                                    teacher='head.fc'))).train()
    MessageHub.get_current_instance().update_info('iter', 5)
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert 'student.aug.loss' in losses
    with torch.no_grad():
        model.student.backbone.set_base()
        base = model.student(inputs, mode='tensor')
        t_logits = model.teacher(inputs, mode='tensor')
    expected = F.kl_div(F.log_softmax(base, -1), F.softmax(t_logits, -1),
                        reduction='batchmean')
    assert float(losses['distill.loss_kd']) == pytest.approx(
        float(expected), rel=1e-4)
