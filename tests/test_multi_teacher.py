"""Several teachers: each built and loaded under the trust rules, frozen,
in eval mode, outside the parameters, the optimizer, the state dict (so
the export and DDP) and run once per batch; the ensemble KD loss is the KL
to the averaged softened distributions, computed here by loops."""
import math

import pytest
import torch

import kdbench  # noqa: F401
from kdbench.compat import save_weights
from kdbench.distillers import (DistillerConfigError, MultiTeacherDistiller,
                                build_model)
from kdbench.losses import EnsembleKDLoss
from kdbench.registry import MODELS

from conftest import STUDENT_MODEL, TEACHER_MODEL
from test_distiller import batch

OTHER = 'configs/_base_/models/resnet18-w8_fmnist.py'


@pytest.fixture(scope='module')
def other_ckpt(tmp_path_factory):
    torch.manual_seed(7)
    path = str(tmp_path_factory.mktemp('other') / 'other.pth')
    save_weights(build_model(OTHER, 'teacher').state_dict(), path)
    return path


def _make(main_ckpt, other_ckpt, **kw):
    cfg = dict(type='kdbench.MultiTeacherDistiller', student=STUDENT_MODEL,
               teacher=TEACHER_MODEL, teacher_checkpoint=main_ckpt,
               extra_teachers=dict(small=dict(model=OTHER,
                                              checkpoint=other_ckpt)),
               distill_losses=dict(ens=dict(
                   type='kdbench.EnsembleKDLoss', tau=4.0,
                   student='head.fc',
                   teacher=['main.head.fc', 'small.head.fc'])))
    cfg.update(kw)
    return MODELS.build(cfg)


def test_teachers_frozen_outside_params_state_and_run_once(
        random_teacher_ckpt, other_ckpt):
    model = _make(random_teacher_ckpt, other_ckpt)
    teachers = dict(model.teacher.named_children())
    assert set(teachers) == {'main', 'small'}
    # each loaded from its own checkpoint
    saved = torch.load(other_ckpt, weights_only=True)['state_dict']
    for key, value in teachers['small'].state_dict().items():
        assert torch.equal(value, saved[key]), key
    teacher_ids = {id(p) for p in model.teacher.parameters()}
    assert not teacher_ids & {id(p) for p in model.parameters()}
    assert not any(k.startswith('teacher') for k in model.state_dict())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert all(not t.training for t in teachers.values())
    calls = {name: 0 for name in teachers}
    for name, member in teachers.items():
        member.register_forward_hook(
            lambda *a, name=name: calls.__setitem__(name, calls[name] + 1))
    losses = model(**model.data_preprocessor(batch(), True), mode='loss')
    assert calls == {'main': 1, 'small': 1}
    losses['distill.loss_ens'].backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert model.student.head.fc.weight.grad is not None
    # the optimizer mmengine builds holds the student's parameters only
    from mmengine.optim import build_optim_wrapper
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD',
                                                           lr=0.1)))
    held = {id(p) for g in optim.optimizer.param_groups for p in g['params']}
    assert not held & teacher_ids


def test_ensemble_kd_is_the_kl_to_the_averaged_targets():
    g = torch.Generator().manual_seed(0)
    s, t1, t2 = (torch.randn(5, 7, generator=g, dtype=torch.float64)
                 for _ in range(3))
    tau = 2.0
    expected = 0.0
    for n in range(5):
        p1 = torch.softmax(t1[n] / tau, 0)
        p2 = torch.softmax(t2[n] / tau, 0)
        p = 0.25 * p1 + 0.75 * p2
        q = torch.softmax(s[n] / tau, 0)
        expected += sum(float(p[c]) * (math.log(p[c]) - math.log(q[c]))
                        for c in range(7))
    expected = 1.5 * tau ** 2 * expected / 5
    loss = EnsembleKDLoss(tau=tau, loss_weight=1.5, weights=[1, 3])
    assert loss(s, [t1, t2]).item() == pytest.approx(expected, rel=1e-10)
    # one teacher: plain KD
    from kdbench.losses import KDLoss
    assert EnsembleKDLoss(tau=tau)(s, [t1]).item() == pytest.approx(
        KDLoss(tau=tau)(s, t1).item(), rel=1e-10)
    assert 'weights for 2 teachers' in EnsembleKDLoss(
        weights=[1, 2, 3]).shape_problem((5, 7), [(5, 7), (5, 7)])


def test_multi_teacher_config_errors(random_teacher_ckpt, other_ckpt):
    with pytest.raises(DistillerConfigError, match='needs extra_teachers'):
        _make(random_teacher_ckpt, other_ckpt, extra_teachers={})
    with pytest.raises(DistillerConfigError, match='main teacher'):
        _make(random_teacher_ckpt, other_ckpt, extra_teachers=dict(
            main=dict(model=OTHER, checkpoint=other_ckpt)))
    with pytest.raises(DistillerConfigError, match='checkpoint='):
        _make(random_teacher_ckpt, other_ckpt, extra_teachers=dict(
            small=dict(model=OTHER)))
    with pytest.raises(DistillerConfigError, match='one student tap'):
        _make(random_teacher_ckpt, other_ckpt, distill_losses=dict(ens=dict(
            type='kdbench.EnsembleKDLoss', student=['head.fc'],
            teacher=['main.head.fc'])))
    # a tap into a teacher that is not there names the closest
    with pytest.raises(Exception, match='smal'):
        _make(random_teacher_ckpt, other_ckpt, distill_losses=dict(kd=dict(
            type='kdbench.KDLoss', student='head.fc',
            teacher='smal.head.fc')))
