"""Detection distillation losses against mmdet and hand-computed values."""

import numpy as np
import pytest
import torch

import kdbench  # noqa: F401
from kdbench.losses import (DistributionKLLoss, TeacherBoundedL2Loss,
                            WeightedSoftBCELoss, WeightedSoftCELoss)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# ------------------------------------------------------------------ LD
def test_distribution_kl_equals_mmdet_kd_kl_div_loss():
    from mmdet.models.losses import KnowledgeDistillationKLDivLoss
    g = torch.Generator().manual_seed(0)
    student = torch.randn(40, 17, generator=g) * 3
    teacher = torch.randn(40, 17, generator=g) * 3
    weight = torch.rand(40, generator=g)
    ours = DistributionKLLoss(tau=10.0, loss_weight=0.25)
    theirs = KnowledgeDistillationKLDivLoss(loss_weight=0.25, T=10)
    for kwargs in (dict(weight=weight, avg_factor=4.0), dict(weight=weight),
                   dict()):
        a = ours(student, teacher, **kwargs)
        b = theirs(student, teacher, **kwargs)
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-7), (kwargs, a, b)
        assert a.item() > 0


def test_distribution_kl_by_hand():
    s = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]])
    t = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 3.0]])
    tau, w = 2.0, np.array([0.5, 2.0])
    p_s, p_t = _softmax(s / tau), _softmax(t / tau)
    rows = (p_t * (np.log(p_t) - np.log(p_s))).mean(1) * tau ** 2
    expected = 0.7 * (rows * w).sum() / 3.0
    loss = DistributionKLLoss(tau=tau, loss_weight=0.7)(
        torch.tensor(s), torch.tensor(t), weight=torch.tensor(w),
        avg_factor=3.0)
    assert loss.item() == pytest.approx(expected, rel=1e-10)
    # identical distributions: zero
    same = torch.tensor(s)
    assert DistributionKLLoss()(same, same.clone()).item() == \
        pytest.approx(0.0, abs=1e-12)


def test_distribution_kl_shape_error():
    with pytest.raises(ValueError, match=r'\(40, 17\).*\(40, 16\)'):
        DistributionKLLoss()(torch.zeros(40, 17), torch.zeros(40, 16))


# -------------------------------------------------------- Chen: softmax
def test_weighted_soft_ce_by_hand_background_last():
    s = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    t = np.array([[0.0, 1.0, 3.0], [2.0, 0.0, 0.0]])
    p_t, log_p_s = _softmax(t), np.log(_softmax(s))
    w = np.array([1.0, 1.0, 1.5])  # background = last index (mmdet)
    expected = -(w * p_t * log_p_s).sum(1).mean()
    loss = WeightedSoftCELoss(background_weight=1.5, background_index=-1)(
        torch.tensor(s), torch.tensor(t))
    assert loss.item() == pytest.approx(expected, rel=1e-10)
    # the weight only touches the background column: with w0 = 1 the loss
    # is the plain soft cross-entropy
    plain = -(p_t * log_p_s).sum(1).mean()
    loss1 = WeightedSoftCELoss(background_weight=1.0)(
        torch.tensor(s), torch.tensor(t))
    assert loss1.item() == pytest.approx(plain, rel=1e-10)
    assert loss.item() > loss1.item()
    # paper convention (background at index 0) weights the other column
    w0 = np.array([1.5, 1.0, 1.0])
    expected0 = -(w0 * p_t * log_p_s).sum(1).mean()
    loss0 = WeightedSoftCELoss(background_index=0)(
        torch.tensor(s), torch.tensor(t))
    assert loss0.item() == pytest.approx(expected0, rel=1e-10)


def test_weighted_soft_ce_temperature_and_avg_factor():
    s = np.array([[1.0, 0.0, -1.0]])
    t = np.array([[0.0, 1.0, 3.0]])
    tau = 3.0
    expected = -(np.array([1, 1, 1.5]) * _softmax(t / tau) *
                 np.log(_softmax(s / tau))).sum() / 4.0
    loss = WeightedSoftCELoss(tau=tau)(torch.tensor(s), torch.tensor(t),
                                       avg_factor=4.0)
    assert loss.item() == pytest.approx(expected, rel=1e-10)


# --------------------------------------------------------- Chen: sigmoid
def test_weighted_soft_bce_by_hand():
    s = np.array([2.0, -1.0, 0.0])
    t = np.array([1.0, -3.0, 0.5])

    def sig(x):
        return 1 / (1 + np.exp(-x))
    p_t, p_s = sig(t), sig(s)
    rows = -(p_t * np.log(p_s) + 1.5 * (1 - p_t) * np.log(1 - p_s))
    loss = WeightedSoftBCELoss(background_weight=1.5)(
        torch.tensor(s), torch.tensor(t), avg_factor=2.0)
    assert loss.item() == pytest.approx(rows.sum() / 2.0, rel=1e-10)
    # background weight multiplies the negative term only
    rows1 = -(p_t * np.log(p_s) + (1 - p_t) * np.log(1 - p_s))
    assert WeightedSoftBCELoss(background_weight=1.0)(
        torch.tensor(s), torch.tensor(t)).item() == \
        pytest.approx(rows1.mean(), rel=1e-10)
    # extreme logits stay finite
    big = torch.tensor([80.0, -80.0])
    assert torch.isfinite(WeightedSoftBCELoss()(big, -big))


# ---------------------------------------------------- Chen: bounded L2
def test_teacher_bounded_l2_switches_off():
    y = torch.zeros(3, 4, dtype=torch.float64)
    student = torch.tensor([[1.0, 0, 0, 0],      # err 1.0
                            [0.4, 0.2, 0, 0],    # err 0.2
                            [0.5, 0.5, 0, 0]],   # err 0.5
                           dtype=torch.float64, requires_grad=True)
    teacher = torch.tensor([[0.5, 0.5, 0, 0],    # err 0.5
                            [0.5, 0.5, 0, 0],    # err 0.5
                            [0.6, 0.0, 0, 0]],   # err 0.36
                           dtype=torch.float64)
    # m = 0: rows 0 (1.0 > 0.5) and 2 (0.5 > 0.36) are on; row 1 is better
    # than its teacher, so its term is 0
    loss = TeacherBoundedL2Loss(margin=0.0)(student, teacher, y)
    assert loss.item() == pytest.approx((1.0 + 0.5) / 3, rel=1e-12)
    loss.backward()
    assert torch.all(student.grad[1] == 0)
    assert torch.allclose(student.grad[0], 2 * student[0].detach() / 3)
    # margin m = 0.4: 0.2 + 0.4 > 0.5, row 1 is on again
    loss = TeacherBoundedL2Loss(margin=0.4, loss_weight=0.5)(
        student, teacher, y, avg_factor=10.0)
    assert loss.item() == pytest.approx(0.5 * (1.0 + 0.2 + 0.5) / 10,
                                        rel=1e-12)


def test_teacher_bounded_l2_shape_error():
    with pytest.raises(ValueError, match=r'\(2, 4\).*\(2, 4\).*\(3, 4\)'):
        TeacherBoundedL2Loss()(torch.zeros(2, 4), torch.zeros(2, 4),
                               torch.zeros(3, 4))


# -------------------------------------------------- Hint with a mask
def test_hint_loss_mask_by_hand():
    from kdbench.losses import HintLoss
    g = torch.Generator().manual_seed(1)
    s = torch.randn(2, 3, 4, 5, generator=g, dtype=torch.float64)
    t = torch.randn(2, 3, 4, 5, generator=g, dtype=torch.float64)
    mask = torch.zeros(2, 4, 5, dtype=torch.bool)
    mask[0, 1, 2] = mask[1, 3, 4] = mask[1, 0, 0] = True
    diff = ((s - t) ** 2).sum(1)[mask].sum().item()
    mean = HintLoss(reduction='mean', loss_weight=2.0)(s, t, mask=mask)
    assert mean.item() == pytest.approx(2.0 * 0.5 * diff / (3 * 3))
    batch = HintLoss(reduction='batchmean')(s, t, mask=mask)
    assert batch.item() == pytest.approx(0.5 * diff / 2)
    # all-true mask = no mask
    full = torch.ones(2, 1, 4, 5)
    assert HintLoss(reduction='mean')(s, t, mask=full).item() == \
        pytest.approx(HintLoss(reduction='mean')(s, t).item())
    # empty mask: 0, not nan
    assert HintLoss(reduction='mean')(
        s, t, mask=torch.zeros(2, 4, 5)).item() == 0.0
    with pytest.raises(ValueError, match=r'mask of shape \(2, 4, 4\)'):
        HintLoss()(s, t, mask=torch.ones(2, 4, 4))
