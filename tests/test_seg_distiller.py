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
                               mean=[0.0] * 3, std=[1.0] * 3),
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
