"""DKD, DIST and logit standardisation against independent numpy
computations written here (explicit per-sample loops, float64)."""
import math

import numpy as np
import pytest
import torch

from kdbench.losses import DISTLoss, DKDLoss, KDLoss, standardize_logits


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _kl(p, q):
    return float(sum(pi * (math.log(pi) - math.log(qi))
                     for pi, qi in zip(p, q) if pi > 0))


def _zscore(z):
    return (z - z.mean()) / (1e-7 + z.std(ddof=1))


def _dkd_reference(zs, zt, labels, alpha, beta, tau, standardize=False):
    total = 0.0
    for s, t, y in zip(zs, zt, labels):
        if standardize:
            s, t = _zscore(s), _zscore(t)
        ps, pt = _softmax(s / tau), _softmax(t / tau)
        tckd = _kl([pt[y], 1 - pt[y]], [ps[y], 1 - ps[y]])
        keep = [c for c in range(len(s)) if c != y]
        qs = ps[keep] / ps[keep].sum()
        qt = pt[keep] / pt[keep].sum()
        nckd = _kl(qt, qs)
        total += alpha * tckd + beta * nckd
    return tau ** 2 * total / len(zs)


def _pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.linalg.norm(a) * np.linalg.norm(b)
                                  + 1e-8))


def _dist_reference(zs, zt, beta, gamma, tau):
    ys = np.stack([_softmax(s / tau) for s in zs])
    yt = np.stack([_softmax(t / tau) for t in zt])
    inter = 1 - np.mean([_pearson(ys[i], yt[i]) for i in range(len(ys))])
    intra = 1 - np.mean([_pearson(ys[:, j], yt[:, j])
                         for j in range(ys.shape[1])])
    return tau ** 2 * (beta * inter + gamma * intra)


def _logits(n=6, c=10, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, c, generator=g, dtype=torch.float64) * scale,
            torch.randn(n, c, generator=g, dtype=torch.float64) * scale,
            torch.randint(0, c, (n,), generator=g))


@pytest.mark.parametrize('alpha, beta, tau', [(1.0, 8.0, 4.0),
                                              (1.0, 0.5, 1.0),
                                              (0.3, 2.0, 2.0)])
def test_dkd_matches_the_decoupled_kls(alpha, beta, tau):
    s, t, y = _logits()
    loss = DKDLoss(alpha=alpha, beta=beta, tau=tau, loss_weight=1.5)
    expected = 1.5 * _dkd_reference(s.numpy(), t.numpy(), y.numpy(), alpha,
                                    beta, tau)
    assert loss(s, t, labels=y).item() == pytest.approx(expected, rel=1e-9)


def test_dkd_with_logit_standardization():
    s, t, y = _logits(seed=3)
    loss = DKDLoss(alpha=1.0, beta=2.0, tau=2.0, logit_standardization=True)
    expected = _dkd_reference(s.numpy(), t.numpy(), y.numpy(), 1.0, 2.0,
                              2.0, standardize=True)
    assert loss(s, t, labels=y).item() == pytest.approx(expected, rel=1e-7)


def test_dkd_is_zero_at_the_teacher_and_finite_when_confident():
    s, _, y = _logits()
    assert DKDLoss()(s, s.clone(), labels=y).item() == pytest.approx(
        0.0, abs=1e-12)
    # a student certain of the target (p_gt rounds to 1 in float32): the
    # non-target mass stays finite, and so do the value and gradient
    z = torch.zeros(2, 5)
    z[0, 1], z[1, 3] = 200.0, 200.0
    z.requires_grad_(True)
    value = DKDLoss(tau=1.0)(z, torch.randn(2, 5), labels=torch.tensor([1, 3]))
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(z.grad).all()


def test_dkd_gradient_reaches_only_the_student_and_needs_labels():
    s, t, y = _logits()
    s.requires_grad_(True)
    t.requires_grad_(True)
    DKDLoss()(s, t, labels=y).backward()
    assert s.grad is not None and t.grad is None
    with pytest.raises(ValueError, match='needs the target classes'):
        DKDLoss()(s, t)
    assert 'DKDLoss needs (N, C)' in DKDLoss().shape_problem((2, 3, 4),
                                                            (2, 3, 4))


@pytest.mark.parametrize('beta, gamma, tau', [(1.0, 1.0, 1.0),
                                              (2.0, 0.5, 4.0)])
def test_dist_matches_the_pearson_relations(beta, gamma, tau):
    s, t, _ = _logits(n=8, c=7, seed=1)
    loss = DISTLoss(beta=beta, gamma=gamma, tau=tau, loss_weight=0.7)
    expected = 0.7 * _dist_reference(s.numpy(), t.numpy(), beta, gamma, tau)
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-9)
    # identical predictions: both correlations are 1 up to the official
    # 1e-8 in the denominator (small next to probability rows' norms)
    assert loss(s, s.clone()).item() == pytest.approx(0.0, abs=1e-4)


def test_kd_with_logit_standardization_matches_zscored_kd():
    s, t, _ = _logits(seed=2)
    tau = 2.0
    expected = 0.0
    for zs, zt in zip(s.numpy(), t.numpy()):
        expected += _kl(_softmax(_zscore(zt) / tau), _softmax(_zscore(zs) / tau))
    expected = 9.0 * tau ** 2 * expected / len(s)
    loss = KDLoss(tau=tau, loss_weight=9.0, logit_standardization=True)
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-7)
    # standardisation makes the loss blind to each sample's logit scale
    # and shift, which plain KD is not
    shifted = s * 5.0 + 3.0
    assert loss(shifted, t).item() == pytest.approx(loss(s, t).item(),
                                                     rel=1e-6)
    assert KDLoss(tau=tau)(shifted, t).item() != pytest.approx(
        KDLoss(tau=tau)(s, t).item(), rel=1e-3)
    z = standardize_logits(s)
    assert torch.allclose(z.mean(1), torch.zeros(len(s), dtype=z.dtype), atol=1e-12)
    assert torch.allclose(z.std(1), torch.ones(len(s), dtype=z.dtype), atol=1e-6)
