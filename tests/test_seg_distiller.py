"""SegmentationDistiller on a small mmseg PSPNet: the pixel-wise and
pair-wise terms equal the losses on the recorded maps, ignored pixels are
masked, the teacher runs once under no_grad."""
import pytest
import torch
from mmengine.structures import PixelData

import kdbench  # noqa: F401
import kdbench.seg  # noqa: F401
from kdbench.compat import save_weights
from kdbench.distillers import build_model
from kdbench.losses import PairwiseAffinityLoss, PixelwiseKDLoss
from kdbench.seg import SegmentationDistiller


def pspnet(width: int) -> dict:
    norm = dict(type='BN', requires_grad=True)
    return dict(
        type='mmseg.EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor',
                               mean=[0.0] * 3, std=[1.0] * 3,
                               size=(64, 64)),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=width,
                      base_channels=width, num_stages=4,
                      out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
                      strides=(1, 2, 1, 1), norm_cfg=norm),
        decode_head=dict(type='PSPHead', in_channels=width * 8,
                         in_index=3, channels=width * 2,
                         pool_scales=(1, 2, 3, 6), dropout_ratio=0.1,
                         num_classes=5, norm_cfg=norm, align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss',
                                          loss_weight=1.0)),
        train_cfg=dict(), test_cfg=dict(mode='whole'))


def seg_batch(n=2, size=64, seed=0):
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 3, size, size, generator=g)
    samples = []
    for _ in range(n):
        sample = SegDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            pad_shape=(size, size)))
        labels = torch.randint(0, 5, (1, size, size), generator=g)
        labels[:, :8] = 255
        sample.gt_sem_seg = PixelData(data=labels)
        samples.append(sample)
    return inputs, samples


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    teacher = build_model(pspnet(16), 'teacher')
    teacher.init_weights()
    path = str(tmp_path_factory.mktemp('psp') / 'weights.pth')
    save_weights(teacher.state_dict(), path)
    return path


def _distiller(ckpt):
    torch.manual_seed(1)
    model = SegmentationDistiller(
        student=pspnet(8), teacher=pspnet(16), teacher_checkpoint=ckpt,
        distill_losses=dict(
            pi=dict(type='kdbench.PixelwiseKDLoss', loss_weight=10.0,
                    student='decode_head.conv_seg',
                    teacher='decode_head.conv_seg'),
            pa=dict(type='kdbench.PairwiseAffinityLoss', node_size=2,
                    student='decode_head.bottleneck',
                    teacher='decode_head.bottleneck')))
    model.init_weights()
    return model.train()


def test_pixelwise_and_pairwise_terms_on_the_recorded_maps(teacher_ckpt):
    model = _distiller(teacher_ckpt)
    model.eval()  # deterministic (dropout off) for the comparison
    inputs, samples = seg_batch()
    with torch.no_grad():
        losses = model.loss(inputs, samples)
        s_x = model.student.extract_feat(inputs)
        t_x = model.teacher.extract_feat(inputs)
        s_logits = model.student.decode_head(s_x)
        t_logits = model.teacher.decode_head(t_x)
    gt = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    assert s_logits.shape == (2, 5, 8, 8)
    expected_pi = PixelwiseKDLoss(loss_weight=10.0)(s_logits, t_logits, gt)
    assert torch.allclose(losses['distill.loss_pi'], expected_pi)
    # the labels' top 8 rows (one logit row) are ignored
    unmasked = PixelwiseKDLoss(loss_weight=10.0, ignore_index=None)(
        s_logits, t_logits)
    assert not torch.allclose(expected_pi, unmasked)
    s_feat = model.student.decode_head.bottleneck(torch.cat(
        [s_x[3]] + model.student.decode_head.psp_modules(s_x[3]), 1))
    t_feat = model.teacher.decode_head.bottleneck(torch.cat(
        [t_x[3]] + model.teacher.decode_head.psp_modules(t_x[3]), 1))
    expected_pa = PairwiseAffinityLoss(node_size=2)(s_feat, t_feat)
    assert torch.allclose(losses['distill.loss_pa'], expected_pa, rtol=1e-5)
    assert 'student.decode.loss_ce' in losses


def test_teacher_runs_once_without_grad(teacher_ckpt):
    model = _distiller(teacher_ckpt)
    calls = []
    handle = model.teacher.backbone.register_forward_hook(
        lambda m, i, o: calls.append(torch.is_grad_enabled()))
    losses = model.loss(*seg_batch())
    handle.remove()
    assert calls == [False]
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())


# ---------------------------------------------------------- holistic
def _structured(ckpt, **kwargs):
    from kdbench.seg import StructuredKDDistiller
    torch.manual_seed(2)
    model = StructuredKDDistiller(
        student=pspnet(8), teacher=pspnet(16), teacher_checkpoint=ckpt,
        distill_losses=dict(pi=dict(
            type='kdbench.PixelwiseKDLoss', student='decode_head.conv_seg',
            teacher='decode_head.conv_seg')),
        critic=dict(type='kdbench.ScoreMapDiscriminator',
                    channels=(8, 8, 8, 8)),
        critic_input_size=(64, 64), **kwargs)
    model.init_weights()
    return model.train()


def _optim(model):
    from mmengine.optim import build_optim_wrapper
    return build_optim_wrapper(model, dict(
        constructor='kdbench.MultiOptimWrapperConstructor',
        student=dict(type='OptimWrapper', optimizer=dict(
            type='SGD', lr=0.01, momentum=0.9)),
        critic=dict(type='OptimWrapper', optimizer=dict(
            type='SGD', lr=4e-4, momentum=0.9))))


def _batch_dict():
    inputs, samples = seg_batch()
    return dict(inputs=list(inputs), data_samples=samples)


def test_holistic_step_updates_student_and_critic(teacher_ckpt):
    model = _structured(teacher_ckpt)
    optim = _optim(model)
    before = {name: p.detach().clone() for name, p in
              [('student', next(model.student.parameters())),
               ('critic', model.critic.last.weight),
               ('teacher', next(model.teacher.parameters()))]}
    log_vars = model.train_step(_batch_dict(), optim)
    for key in ('distill.loss_adv', 'distill.loss_pi', 'critic.loss',
                'critic.loss_gp', 'critic.d_real', 'critic.d_fake'):
        assert key in log_vars, key
    assert not torch.equal(before['student'],
                           next(model.student.parameters()))
    assert not torch.equal(before['critic'], model.critic.last.weight)
    assert torch.equal(before['teacher'], next(model.teacher.parameters()))
    # the adversarial term is -λ_d·E[D(S)] of this very critic
    assert model.critic_weight == 0.1 and model.gp_weight == 10.0
    # a plain optimizer is refused with the fix
    from mmengine.optim import build_optim_wrapper
    from kdbench.distillers import DistillerConfigError
    plain = build_optim_wrapper(model, dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01)))
    with pytest.raises(DistillerConfigError,
                       match='MultiOptimWrapperConstructor'):
        model.train_step(_batch_dict(), plain)


def test_nan_in_the_adversarial_terms_stops_training(teacher_ckpt):
    from mmengine.logging import MessageHub
    from kdbench.seg import NonFiniteLossError
    model = _structured(teacher_ckpt)
    optim = _optim(model)
    MessageHub.get_current_instance().update_info('iter', 41)
    with torch.no_grad():
        model.critic.last.bias.fill_(float('nan'))
    with pytest.raises(NonFiniteLossError,
                       match='distill.loss_adv is nan at iteration 41'):
        model.train_step(_batch_dict(), optim)


def test_multi_optim_constructor_covers_every_trainable_part():
    from kdbench.engine.optimizers import MultiOptimWrapperConstructor

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.student = torch.nn.Linear(2, 2)
            self.critic = torch.nn.Linear(2, 1)
    sgd = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    wrappers = MultiOptimWrapperConstructor(
        dict(student=sgd, critic=sgd))(Model())
    assert set(wrappers.keys()) == {'student', 'critic'}
    with pytest.raises(ValueError, match=r"\['critic'\] have no optimizer"):
        MultiOptimWrapperConstructor(dict(student=sgd))(Model())
    with pytest.raises(ValueError, match=r"no submodule 'gen'.*\['critic', "
                       r"'student'\]"):
        MultiOptimWrapperConstructor(dict(gen=sgd))(Model())


def _average_in_rank(rank, world, port, results):
    import os
    import torch.distributed as dist
    from kdbench.utils.dist import average_gradients
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        critic = torch.nn.Linear(3, 2)
        for i, p in enumerate(critic.parameters()):
            p.grad = torch.full_like(p, float(rank + 1) * (i + 1))
        average_gradients(critic.parameters())
        results[rank] = [p.grad.clone() for p in critic.parameters()]
    finally:
        dist.destroy_process_group()


def test_gradients_are_averaged_over_ranks():
    """The critic (gradient penalty) and NetDistiller (autograd.grad) run
    outside DDP's reducer: their gradients are all-reduced to the mean of
    the ranks' before the optimizer step."""
    import torch.multiprocessing as mp
    results = mp.Manager().dict()
    mp.spawn(_average_in_rank, args=(2, 29533, results), nprocs=2)
    for rank in (0, 1):
        weight, bias = results[rank]
        # rank r holds (r + 1) * (i + 1); the mean of ranks 0, 1 is 1.5 * (i + 1)
        assert torch.allclose(weight, torch.full((2, 3), 1.5))
        assert torch.allclose(bias, torch.full((2,), 3.0))


def deeplabv3(width: int) -> dict:
    """A small DeepLabV3 (ASPP head), same backbone layout as pspnet()."""
    model = pspnet(width)
    model['decode_head'] = dict(
        type='ASPPHead', in_channels=width * 8, in_index=3,
        channels=width * 2, dilations=(1, 2, 3, 4), dropout_ratio=0.1,
        num_classes=5, norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0))
    return model


def test_all_three_terms_on_deeplabv3(tmp_path):
    """Structured KD works on DeepLabV3: the pair-wise term taps the ASPP
    fused feature (decode_head.bottleneck), and one holistic train_step
    updates student and critic."""
    from kdbench.seg import StructuredKDDistiller
    torch.manual_seed(0)
    teacher = build_model(deeplabv3(16), 'teacher')
    ckpt = str(tmp_path / 'deeplab.pth')
    save_weights(teacher.state_dict(), ckpt)
    model = StructuredKDDistiller(
        student=deeplabv3(8), teacher=deeplabv3(16), teacher_checkpoint=ckpt,
        distill_losses=dict(
            pi=dict(type='kdbench.PixelwiseKDLoss', loss_weight=10.0,
                    student='decode_head.conv_seg',
                    teacher='decode_head.conv_seg'),
            pa=dict(type='kdbench.PairwiseAffinityLoss', node_size=2,
                    student='decode_head.bottleneck',
                    teacher='decode_head.bottleneck')),
        critic=dict(type='kdbench.ScoreMapDiscriminator',
                    channels=(8, 8, 8, 8)),
        critic_input_size=(64, 64))
    model.init_weights()
    model.train()
    log_vars = model.train_step(_batch_dict(), _optim(model))
    for key in ('distill.loss_pi', 'distill.loss_pa', 'distill.loss_adv',
                'critic.loss', 'student.decode.loss_ce'):
        assert key in log_vars and torch.isfinite(log_vars[key]), key
    # the pair-wise term is the loss on the two ASPP fused features (16 vs
    # 32 channels, the same map size)
    model.eval()  # deterministic (dropout off) for the comparison
    inputs, samples = seg_batch()
    with torch.no_grad():
        losses = model.loss(inputs, samples)
        s_feat = model.student.decode_head._forward_feature(
            model.student.extract_feat(inputs))
        t_feat = model.teacher.decode_head._forward_feature(
            model.teacher.extract_feat(inputs))
    assert s_feat.shape[1] == 16 and t_feat.shape[1] == 32
    assert s_feat.shape[-2:] == t_feat.shape[-2:]
    expected = PairwiseAffinityLoss(node_size=2)(s_feat, t_feat)
    assert torch.allclose(losses['distill.loss_pa'], expected, rtol=1e-5)
