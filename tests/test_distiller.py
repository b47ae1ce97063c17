"""SingleTeacherDistiller: building, teacher handling, taps, errors."""
import copy

import pytest
import torch

import kdbench  # noqa: F401
from kdbench.compat import UntrustedCheckpointError, save_weights
from kdbench.distillers import (DistillerConfigError, ModelRefError,
                                ShapeMismatchError, SingleTeacherDistiller,
                                build_model)
from kdbench.recorders import TapError
from kdbench.registry import MODELS

from conftest import STUDENT_MODEL, TEACHER_MODEL

KD = dict(type='kdbench.KDLoss', tau=4.0, student='head.fc',
          teacher='head.fc')


def make(ckpt, **kwargs):
    cfg = dict(type='kdbench.SingleTeacherDistiller', student=STUDENT_MODEL,
               teacher=TEACHER_MODEL, teacher_checkpoint=ckpt,
               distill_losses=dict(kd=KD))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def batch(n=8, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 255, (1, 28, 28), generator=g,
                            dtype=torch.uint8) for _ in range(n)]
    samples = [DataSample().set_gt_label(i % 10) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_teacher_is_outside_params_state_and_optimizer(random_teacher_ckpt):
    model = make(random_teacher_ckpt)
    teacher_params = {id(p) for p in model.teacher.parameters()}
    assert teacher_params
    assert not teacher_params & {id(p) for p in model.parameters()}
    assert not any(k.startswith('teacher') for k in model.state_dict())
    assert any(k.startswith('student.') for k in model.state_dict())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert model.student.training and not model.teacher.training
    # the teacher follows device/dtype moves of the distiller
    model.double()
    assert next(model.teacher.parameters()).dtype == torch.float64


def test_teacher_weights_loaded(random_teacher_ckpt):
    model = make(random_teacher_ckpt)
    saved = torch.load(random_teacher_ckpt, weights_only=True)['state_dict']
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_loss_keys_gradients_and_single_teacher_pass(random_teacher_ckpt):
    model = make(random_teacher_ckpt, distill_losses=dict(
        kd=KD, hint=dict(type='kdbench.HintLoss', reduction='mean',
                         student='backbone.layer3', teacher='backbone.layer3',
                         connector=dict(type='kdbench.ConvAdapter'))))
    model.train()
    calls = []
    model.teacher.register_forward_hook(lambda *a: calls.append(1))
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'student.loss', 'distill.loss_kd',
                           'distill.loss_hint'}
    assert len(calls) == 1, 'teacher must run exactly once per batch'
    total = sum(losses.values())
    total.backward()
    assert model.student.head.fc.weight.grad is not None
    assert model.connectors['hint'][0].conv.weight.grad is not None
    assert all(p.grad is None for p in model.teacher.parameters())
    # the connector was sized from the taps: 32 student -> 64 teacher ch
    conv = model.connectors['hint'][0].conv
    assert (conv.in_channels, conv.out_channels) == (32, 64)


def test_predict_runs_student_only(random_teacher_ckpt):
    model = make(random_teacher_ckpt)
    model.eval()
    calls = []
    model.teacher.register_forward_hook(lambda *a: calls.append(1))
    data = model.data_preprocessor(batch(4), False)
    with torch.no_grad():
        preds = model(**data, mode='predict')
        # the student's scores computed by hand, layer by layer
        s = model.student
        logits = s.head.fc(s.neck(s.backbone(data['inputs']))[-1])
        expected = logits.softmax(dim=1)
    assert not calls
    assert len(preds) == 4
    for i in range(4):
        assert torch.allclose(preds[i].pred_score, expected[i], atol=1e-6)


def test_student_loss_weight_scales_task_loss(random_teacher_ckpt):
    torch.manual_seed(0)
    model = make(random_teacher_ckpt, student_loss_weight=0.25)
    model.eval()  # deterministic BN
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    plain = model.student.loss(data['inputs'], data['data_samples'])
    assert torch.allclose(losses['student.loss'], 0.25 * plain['loss'])


def test_wrong_tap_lists_closest(random_teacher_ckpt):
    bad = dict(KD, student='backbone.layr3')
    with pytest.raises(TapError) as err:
        make(random_teacher_ckpt, distill_losses=dict(kd=bad))
    msg = str(err.value)
    assert "'backbone.layr3'" in msg and "'backbone.layer3'" in msg
    assert 'student' in msg


def test_tap_needs_paths(random_teacher_ckpt):
    with pytest.raises(DistillerConfigError, match='student=.*teacher='):
        make(random_teacher_ckpt,
             distill_losses=dict(kd=dict(type='kdbench.KDLoss')))


def test_shape_mismatch_names_shapes_and_fix(random_teacher_ckpt):
    hint = dict(type='kdbench.HintLoss', student='backbone.layer3',
                teacher='backbone.layer3')
    model = make(random_teacher_ckpt, distill_losses=dict(hint=hint))
    data = model.data_preprocessor(batch(), True)
    with pytest.raises(ShapeMismatchError) as err:
        model.loss(data['inputs'], data['data_samples'])
    msg = str(err.value)
    assert '(8, 32, 7, 7)' in msg and '(8, 64, 7, 7)' in msg
    assert 'kdbench.ConvAdapter' in msg


def test_spatial_mismatch_suggests_resize(random_teacher_ckpt):
    at = dict(type='kdbench.ATLoss', student='backbone.layer1',
              teacher='backbone.layer2')
    model = make(random_teacher_ckpt, distill_losses=dict(at=at))
    data = model.data_preprocessor(batch(), True)
    with pytest.raises(ShapeMismatchError, match='kdbench.Resize'):
        model.loss(data['inputs'], data['data_samples'])
    # with the suggested connector it works
    at['connector'] = dict(type='kdbench.Resize')
    model = make(random_teacher_ckpt, distill_losses=dict(at=at))
    losses = model.loss(data['inputs'], data['data_samples'])
    assert losses['distill.loss_at'].ndim == 0


def test_missing_teacher_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        make(str(tmp_path / 'nope.pth'))
    with pytest.raises(DistillerConfigError, match='teacher_checkpoint is '
                       'required'):
        make(None)


def test_teacher_checkpoint_that_does_not_fit(tmp_path):
    student = build_model(STUDENT_MODEL, 'student')
    path = str(tmp_path / 'student_weights.pth')
    save_weights(student.state_dict(), path)
    with pytest.raises(DistillerConfigError) as err:
        make(path)
    msg = str(err.value)
    assert 'does not fit the teacher' in msg and 'shape mismatches' in msg
    state = dict(student.state_dict())
    state['extra.weight'] = torch.zeros(1)
    teacher = build_model(TEACHER_MODEL, 'teacher').state_dict()
    partial = {k: v for k, v in teacher.items() if 'head' not in k}
    partial['extra.weight'] = torch.zeros(1)
    save_weights(partial, path)
    with pytest.raises(DistillerConfigError) as err:
        make(path)
    assert 'missing' in str(err.value) and 'head.fc.weight' in str(err.value)
    assert "unexpected" in str(err.value)


def test_pickled_teacher_needs_opt_in(tmp_path):
    import numpy as np
    teacher = build_model(TEACHER_MODEL, 'teacher')
    path = str(tmp_path / 'pickled.pth')
    torch.save(dict(state_dict=teacher.state_dict(),
                    meta=dict(hist=np.arange(3))), path)
    with pytest.raises(UntrustedCheckpointError, match='teacher_weights_only'):
        make(path)
    with pytest.raises(UntrustedCheckpointError):
        make(path, teacher_weights_only=True)  # forced: no opt-in applies
    model = make(path, teacher_weights_only=False)
    assert isinstance(model, SingleTeacherDistiller)
    saved = torch.load(path, weights_only=False)['state_dict']
    assert torch.equal(model.teacher.backbone.conv1.weight,
                       saved['backbone.conv1.weight'])


def test_pickled_teacher_with_env_opt_in(tmp_path, monkeypatch):
    import numpy as np
    teacher = build_model(TEACHER_MODEL, 'teacher')
    path = str(tmp_path / 'pickled.pth')
    torch.save(dict(state_dict=teacher.state_dict(),
                    meta=dict(hist=np.arange(3))), path)
    monkeypatch.setenv('KDBENCH_ALLOW_PICKLE', '1')
    assert isinstance(make(path), SingleTeacherDistiller)


def test_teacher_preprocessor_mismatch(random_teacher_ckpt):
    from mmengine.config import Config
    teacher = Config.fromfile(TEACHER_MODEL).model.to_dict()
    teacher['data_preprocessor']['mean'] = [0.0]
    with pytest.raises(DistillerConfigError, match='mean'):
        make(random_teacher_ckpt, teacher=teacher)


def test_bad_model_reference(random_teacher_ckpt):
    with pytest.raises(ModelRefError, match='resnet18-w8_fmnist.py'):
        make(random_teacher_ckpt,
             student='configs/_base_/models/resnet18-w8_fmnst.py')


def test_unknown_connector(random_teacher_ckpt):
    loss = dict(KD, connector=dict(type='kdbench.NoSuchAdapter'))
    with pytest.raises(DistillerConfigError, match='unknown type.*NoSuchAdapter'):
        make(random_teacher_ckpt, distill_losses=dict(kd=loss))


def test_inline_and_package_references(random_teacher_ckpt):
    from mmengine.config import Config
    inline = Config.fromfile(STUDENT_MODEL).model.to_dict()
    model = make(random_teacher_ckpt, student=copy.deepcopy(inline))
    assert type(model.student).__name__ == 'ImageClassifier'
    # an mmpretrain:: reference builds under mmpretrain's scope
    net = build_model('mmpretrain::_base_/models/resnet18.py', 'student')
    assert type(net.backbone).__name__ == 'ResNet'


def test_teacher_in_reduced_precision(random_teacher_ckpt):
    """bf16 teacher inference: the teacher's taps are bf16, the loss is
    computed in fp32 and stays within bf16's rounding of the fp32 one;
    the student is untouched (fp32)."""
    fp32 = make(random_teacher_ckpt)
    bf16 = make(random_teacher_ckpt, teacher_precision='bf16')
    bf16.student.load_state_dict(fp32.student.state_dict())
    seen = []
    bf16.teacher.head.fc.register_forward_hook(
        lambda m, i, o: seen.append(o.dtype))
    for model in (fp32, bf16):
        model.eval()  # same BN statistics for both students
    data = fp32.data_preprocessor(batch(), True)
    want = fp32.loss(**data)['distill.loss_kd']
    got = bf16.loss(**data)['distill.loss_kd']
    assert seen == [torch.bfloat16]
    assert got.dtype == torch.float32
    assert got.item() == pytest.approx(want.item(), rel=0.05)
    assert next(bf16.student.parameters()).dtype == torch.float32
    with pytest.raises(DistillerConfigError, match='teacher_precision'):
        make(random_teacher_ckpt, teacher_precision='int8')


def test_teacher_in_channels_last_gives_the_same_losses(random_teacher_ckpt):
    plain = make(random_teacher_ckpt)
    last = make(random_teacher_ckpt, teacher_channels_last=True)
    last.student.load_state_dict(plain.student.state_dict())
    conv = last.teacher.backbone.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    seen = []
    last.teacher.backbone.register_forward_hook(
        lambda m, i, o: seen.append(i[0].is_contiguous(
            memory_format=torch.channels_last)))
    for model in (plain, last):
        model.eval()
    data = plain.data_preprocessor(batch(), True)
    want = plain.loss(**data)['distill.loss_kd']
    got = last.loss(**data)['distill.loss_kd']
    assert seen == [True]
    assert got.item() == pytest.approx(want.item(), rel=1e-4)
    # (the mini images have one channel, channels-last already: the hook
    # itself on a 3-channel batch)
    from kdbench.distillers.single_teacher import _to_channels_last
    x = torch.randn(2, 3, 8, 8)
    assert not x.is_contiguous(memory_format=torch.channels_last)
    y, = _to_channels_last(None, (x,))
    assert y.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(x, y)
