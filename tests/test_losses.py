"""Tests of kdbench.losses against independent float64 numpy references.

Every reference below is written with explicit loops (or another
formulation) in numpy float64 and shares no code with the implementation.
"""
import itertools

import numpy as np
import pytest
import torch

from kdbench.losses import (ATLoss, DistillLoss, HintLoss, KDLoss, NSTLoss,
                            RKDLoss)

RTOL = 1e-5
ATOL = 1e-7


def _rand(seed, *shape, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g) * scale


def _np(x):
    return x.detach().double().numpy()


def _close(value, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(_np(value), expected, rtol=rtol, atol=atol)


# ----------------------------------------------------------- references ---
def ref_softmax(z):
    """Softmax of a 1-D float64 vector."""
    e = np.exp(z - z.max())
    return e / e.sum()


def ref_kl_per_sample(zs, zt, tau):
    """KL(p_t || p_s) at temperature tau, summed over classes (dim 1) and
    averaged over the extra positions, no T² factor. Returns (N,)."""
    n, c = zs.shape[:2]
    zs = zs.reshape(n, c, -1)
    zt = zt.reshape(n, c, -1)
    out = np.zeros(n)
    for i in range(n):
        per_pos = []
        for pos in range(zs.shape[2]):
            p = ref_softmax(zt[i, :, pos] / tau)
            q = ref_softmax(zs[i, :, pos] / tau)
            per_pos.append(sum(p[k] * (np.log(p[k]) - np.log(q[k]))
                               for k in range(c)))
        out[i] = np.mean(per_pos)
    return out


def ref_at(fs, ft, p, weight):
    n = fs.shape[0]
    total, count = 0.0, 0
    for i in range(n):
        qs = (np.abs(fs[i]) ** p).mean(axis=0).ravel()
        qt = (np.abs(ft[i]) ** p).mean(axis=0).ravel()
        qs = qs / np.linalg.norm(qs)
        qt = qt / np.linalg.norm(qt)
        for a, b in zip(qs, qt):
            total += (a - b) ** 2
            count += 1
    return weight * total / count


def ref_nst(fs, ft, kernel, degree=2, coef=0.0, weight=1.0):
    n, cs, ct = fs.shape[0], fs.shape[1], ft.shape[1]
    fs = fs.reshape(n, cs, -1)
    ft = ft.reshape(n, ct, -1)
    fs = fs / np.linalg.norm(fs, axis=2, keepdims=True)
    ft = ft / np.linalg.norm(ft, axis=2, keepdims=True)
    sigma2 = None
    if kernel == 'gaussian':
        dists = [np.sum((ft[b, i] - ft[b, j]) ** 2)
                 for b in range(n) for i in range(ct) for j in range(ct)
                 if i != j]
        sigma2 = np.mean(dists)

    def k(x, y):
        if kernel == 'linear':
            return float(np.dot(x, y))
        if kernel == 'poly':
            return float((np.dot(x, y) + coef) ** degree)
        return float(np.exp(-np.sum((x - y) ** 2) / (2 * sigma2)))

    vals = []
    for b in range(n):
        tt = sum(k(ft[b, i], ft[b, j]) for i in range(ct)
                 for j in range(ct)) / ct ** 2
        ss = sum(k(fs[b, i], fs[b, j]) for i in range(cs)
                 for j in range(cs)) / cs ** 2
        ts = sum(k(ft[b, i], fs[b, j]) for i in range(ct)
                 for j in range(cs)) / (ct * cs)
        vals.append(tt + ss - 2 * ts)
    return weight * np.mean(vals)


def huber(x):
    return 0.5 * x * x if abs(x) < 1 else abs(x) - 0.5


def ref_rkd_terms(fs, ft, l2_normalize):
    """Returns (L_D, L_A, max |Δψ_D|, max |Δψ_A|)."""
    n = fs.shape[0]
    xs = [fs.reshape(n, -1), ft.reshape(n, -1)]
    if l2_normalize:
        xs = [x / np.linalg.norm(x, axis=1, keepdims=True) for x in xs]
    psi_d, psi_a = [], []
    for x in xs:
        d = {}
        for i in range(n):
            for j in range(n):
                if i != j:
                    d[i, j] = np.sqrt(np.sum((x[i] - x[j]) ** 2))
        mu = np.mean(list(d.values()))
        psi_d.append({key: v / mu for key, v in d.items()})
        a = {}
        for i, j, k in itertools.product(range(n), repeat=3):
            eij, ekj = x[i] - x[j], x[k] - x[j]
            nij, nkj = np.linalg.norm(eij), np.linalg.norm(ekj)
            if nij == 0 or nkj == 0:
                a[i, j, k] = 0.0  # degenerate triplet, zero edge vector
            else:
                a[i, j, k] = np.dot(eij / nij, ekj / nkj)
        psi_a.append(a)
    diff_d = [psi_d[0][key] - psi_d[1][key] for key in psi_d[0]]
    diff_a = [psi_a[0][key] - psi_a[1][key] for key in psi_a[0]]
    assert len(diff_d) == n * (n - 1) and len(diff_a) == n ** 3
    return (np.mean([huber(v) for v in diff_d]),
            np.mean([huber(v) for v in diff_a]),
            max(abs(v) for v in diff_d), max(abs(v) for v in diff_a))


# ------------------------------------------------------------------- KD ---
@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_kd_matches_reference(tau):
    zs, zt = _rand(0, 5, 7, scale=3), _rand(1, 5, 7, scale=3)
    kl = ref_kl_per_sample(_np(zs), _np(zt), tau)
    w = 0.9
    _close(KDLoss(tau=tau, loss_weight=w)(zs, zt), w * tau ** 2 * kl.mean())
    _close(KDLoss(tau=tau, loss_weight=w, reduction='sum')(zs, zt),
           w * tau ** 2 * kl.sum())
    none = KDLoss(tau=tau, loss_weight=w, reduction='none')(zs, zt)
    assert none.shape == (5,)
    _close(none, w * tau ** 2 * kl)


def test_kd_t2_scaling_and_batchmean_vs_sum():
    zs, zt = _rand(2, 6, 10, scale=4), _rand(3, 6, 10, scale=4)
    unscaled = ref_kl_per_sample(_np(zs), _np(zt), 4.0).mean()
    _close(KDLoss(tau=4.0)(zs, zt), 16.0 * unscaled)
    batchmean = KDLoss(tau=4.0)(zs, zt)
    total = KDLoss(tau=4.0, reduction='sum')(zs, zt)
    _close(total, 6 * batchmean.item(), rtol=1e-6)


def test_kd_per_pixel_input():
    zs, zt = _rand(4, 2, 5, 3, 4, scale=2), _rand(5, 2, 5, 3, 4, scale=2)
    kl = ref_kl_per_sample(_np(zs), _np(zt), 2.0)
    _close(KDLoss(tau=2.0)(zs, zt), 4.0 * kl.mean())
    none = KDLoss(tau=2.0, reduction='none')(zs, zt)
    assert none.shape == (2,)
    _close(none, 4.0 * kl)
    # batchmean over a (N, C, H, W) map == batchmean over the flattened
    # (N*H*W, C) pixel distributions (a different formulation)
    flat = lambda z: z.permute(0, 2, 3, 1).reshape(-1, 5)  # noqa: E731
    ref = ref_kl_per_sample(_np(flat(zs)), _np(flat(zt)), 2.0).mean()
    _close(KDLoss(tau=2.0)(zs, zt), 4.0 * ref)


def test_kd_gradient_matches_closed_form():
    # d/dz_s [w T² KL(p_t || q_s)] averaged over N = w T (q_s - p_t) / N
    n, tau, w = 4, 3.0, 2.0
    zs = _rand(6, n, 6, scale=2).requires_grad_()
    zt = _rand(7, n, 6, scale=2).requires_grad_()
    KDLoss(tau=tau, loss_weight=w)(zs, zt).backward()
    q = np.stack([ref_softmax(r / tau) for r in _np(zs)])
    p = np.stack([ref_softmax(r / tau) for r in _np(zt)])
    np.testing.assert_allclose(_np(zs.grad), w * tau * (q - p) / n,
                               rtol=1e-5, atol=1e-7)
    assert zt.grad is None


def test_kd_half_inputs_give_fp32():
    zs = _rand(8, 4, 9, scale=3).half()
    zt = _rand(9, 4, 9, scale=3).half()
    out = KDLoss(tau=2.0)(zs, zt)
    assert out.dtype == torch.float32
    _close(out, 4.0 * ref_kl_per_sample(_np(zs), _np(zt), 2.0).mean())


def test_kd_rejects_bad_arguments():
    with pytest.raises(ValueError):
        KDLoss(reduction='mean')
    with pytest.raises(ValueError):
        KDLoss(tau=0)


# ----------------------------------------------------------------- Hint ---
def test_hint_matches_reference():
    s, t = _rand(10, 3, 4, 5, 5), _rand(11, 3, 4, 5, 5)
    sq = (_np(s) - _np(t)) ** 2
    _close(HintLoss(loss_weight=3.0)(s, t), 3.0 * 0.5 * sq.sum() / 3)
    _close(HintLoss(reduction='mean')(s, t), 0.5 * sq.mean())
    with pytest.raises(ValueError):
        HintLoss(reduction='sum')


def test_hint_gradient_closed_form():
    s = _rand(12, 2, 3, 4).requires_grad_()
    t = _rand(13, 2, 3, 4).requires_grad_()
    HintLoss(loss_weight=2.0)(s, t).backward()
    np.testing.assert_allclose(_np(s.grad), 2.0 * (_np(s) - _np(t)) / 2,
                               rtol=1e-6)
    assert t.grad is None


# ------------------------------------------------------------------- AT ---
@pytest.mark.parametrize('p', [2, 1, 3])
def test_at_matches_reference(p):
    s, t = _rand(20, 3, 4, 5, 6), _rand(21, 3, 7, 5, 6)  # channels differ
    _close(ATLoss(p=p, loss_weight=500.0)(s, t),
           ref_at(_np(s), _np(t), p, 500.0))


def test_at_scale_invariance():
    # Q is normalised: scaling a feature map by a constant changes nothing
    s, t = _rand(22, 2, 3, 4, 4), _rand(23, 2, 5, 4, 4)
    loss = ATLoss()
    _close(loss(7.0 * s, t), loss(s, t).item(), rtol=1e-5)


# ------------------------------------------------------------------ NST ---
@pytest.mark.parametrize('kwargs,shapes', [
    (dict(kernel='poly'), ((2, 3, 4, 4), (2, 5, 4, 4))),  # Gram path
    (dict(kernel='poly'), ((2, 6, 2, 2), (2, 7, 2, 2))),  # HW×HW path
    (dict(kernel='poly', coef=0.5), ((2, 3, 4, 4), (2, 5, 4, 4))),
    (dict(kernel='poly', coef=0.5), ((2, 6, 2, 2), (2, 7, 2, 2))),
    (dict(kernel='poly', degree=3, coef=1.0), ((2, 3, 2, 3), (2, 4, 2, 3))),
    (dict(kernel='linear'), ((2, 3, 3, 3), (2, 5, 3, 3))),
    (dict(kernel='gaussian'), ((3, 3, 3, 3), (3, 4, 3, 3))),
])
def test_nst_matches_reference(kwargs, shapes):
    s, t = _rand(30, *shapes[0]), _rand(31, *shapes[1])
    ref = ref_nst(_np(s), _np(t), weight=2.5, **kwargs)
    assert abs(ref) > 1e-3  # a non-trivial value
    _close(NSTLoss(loss_weight=2.5, **kwargs)(s, t), ref)


# ------------------------------------------------------------------ RKD ---
@pytest.mark.parametrize('l2', [True, False])
def test_rkd_matches_reference(l2):
    s, t = _rand(40, 6, 5), _rand(41, 6, 2, 2, 2)  # D = 5 vs 8
    ld, la, _, max_da = ref_rkd_terms(_np(s), _np(t), l2)
    assert max_da > 1  # the linear branch of the Huber loss is exercised
    _close(RKDLoss(l2_normalize=l2, loss_weight=0.5)(s, t),
           0.5 * (25 * ld + 50 * la))
    _close(RKDLoss(distance_weight=1, angle_weight=0, l2_normalize=l2)(s, t),
           ld)
    _close(RKDLoss(distance_weight=0, angle_weight=1, l2_normalize=l2)(s, t),
           la)


def test_rkd_huber_linear_branch_of_distance_term():
    s = _rand(42, 5, 3)
    s[0] = 30.0  # an outlier: its normalised distances are far above 1
    t = _rand(43, 5, 3)
    ld, _, max_dd, _ = ref_rkd_terms(_np(s), _np(t), False)
    assert max_dd > 1
    _close(RKDLoss(distance_weight=1, angle_weight=0, l2_normalize=False)(
        s, t), ld)


def test_rkd_duplicate_samples():
    # a repeated sample gives extra degenerate (zero-edge) triplets
    s, t = _rand(44, 4, 3), _rand(45, 4, 3)
    s[3] = s[0]
    ld, la, _, _ = ref_rkd_terms(_np(s), _np(t), True)
    _close(RKDLoss(distance_weight=0, angle_weight=1)(s, t), la, atol=1e-6)
    _close(RKDLoss(distance_weight=1, angle_weight=0)(s, t), ld, atol=1e-6)
    # the zero edge between the duplicates must not blow the gradient up
    s.requires_grad_()
    RKDLoss()(s, t).backward()
    assert torch.isfinite(s.grad).all() and s.grad.abs().max() < 1e3


# --------------------------------------------------------- all losses ---
ALL_CASES = [
    (KDLoss(tau=4.0), (4, 10), (4, 10)),
    (KDLoss(tau=2.0), (2, 5, 3, 3), (2, 5, 3, 3)),
    (HintLoss(), (2, 4, 3, 3), (2, 4, 3, 3)),
    (HintLoss(reduction='mean'), (2, 4, 3, 3), (2, 4, 3, 3)),
    (ATLoss(), (2, 3, 4, 4), (2, 6, 4, 4)),
    (NSTLoss(), (2, 3, 4, 4), (2, 5, 4, 4)),
    (NSTLoss(), (2, 6, 2, 2), (2, 7, 2, 2)),
    (NSTLoss(kernel='gaussian'), (2, 3, 4, 4), (2, 5, 4, 4)),
    (NSTLoss(kernel='linear'), (2, 3, 4, 4), (2, 5, 4, 4)),
    (RKDLoss(), (5, 4, 2, 2), (5, 7)),
]
IDS = [f'{type(c[0]).__name__}-{i}' for i, c in enumerate(ALL_CASES)]


@pytest.mark.parametrize('loss,s_shape,t_shape', ALL_CASES, ids=IDS)
def test_identical_inputs_give_zero(loss, s_shape, t_shape):
    x = _rand(50, *t_shape).abs() + 0.1
    out = loss(x.clone(), x)
    assert out.dim() == 0 and out.dtype == torch.float32
    assert abs(out.item()) < 1e-5


@pytest.mark.parametrize('loss,s_shape,t_shape', ALL_CASES, ids=IDS)
def test_gradient_reaches_student_only(loss, s_shape, t_shape):
    s = _rand(51, *s_shape).requires_grad_()
    t = _rand(52, *t_shape).requires_grad_()
    out = loss(s, t)
    assert out.item() > 0
    out.backward()
    assert s.grad is not None and torch.isfinite(s.grad).all()
    assert s.grad.abs().sum() > 0
    assert t.grad is None


@pytest.mark.parametrize('loss,s_shape,t_shape', ALL_CASES, ids=IDS)
def test_gradcheck_float64(loss, s_shape, t_shape):
    s = _rand(53, *s_shape).double().requires_grad_()
    t = _rand(54, *t_shape).double()
    assert torch.autograd.gradcheck(lambda x: loss(x, t), (s,), eps=1e-6,
                                    atol=1e-5)


@pytest.mark.parametrize('loss,s_shape,t_shape', ALL_CASES, ids=IDS)
def test_fp32_under_autocast(loss, s_shape, t_shape):
    s, t = _rand(55, *s_shape), _rand(56, *t_shape)
    expected = loss(s, t).item()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = loss(s, t)
    assert out.dtype == torch.float32
    assert out.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize('loss,s_shape,t_shape', ALL_CASES, ids=IDS)
def test_shape_problem_accepts_good_shapes(loss, s_shape, t_shape):
    assert isinstance(loss, DistillLoss)
    assert loss.shape_problem(s_shape, t_shape) is None
    assert loss.shape_problem(torch.Size(s_shape), torch.Size(t_shape)) is None


@pytest.mark.parametrize('loss,s_shape,t_shape,words', [
    (KDLoss(), (4, 10), (4, 12), ()),
    (KDLoss(), (4, 10), (3, 10), ()),
    (KDLoss(), (10,), (10,), ()),
    (HintLoss(), (2, 4, 3, 3), (2, 8, 3, 3), ()),
    (ATLoss(), (2, 4, 3, 3), (2, 4, 6, 6), ('resize',)),
    (ATLoss(), (2, 4, 3, 3), (4, 4, 3, 3), ()),
    (ATLoss(), (2, 4), (2, 4), ()),
    (NSTLoss(), (2, 4, 3, 3), (2, 8, 6, 6), ('resize',)),
    (NSTLoss(), (3, 4, 3, 3), (2, 4, 3, 3), ()),
    (NSTLoss(kernel='gaussian'), (2, 4, 3, 3), (2, 1, 3, 3), ()),
    (RKDLoss(), (4, 8), (5, 8), ()),
    (RKDLoss(), (1, 8), (1, 8), ('N >= 2',)),
    (RKDLoss(), (4,), (4,), ()),
])
def test_shape_problem_names_both_shapes(loss, s_shape, t_shape, words):
    msg = loss.shape_problem(s_shape, t_shape)
    assert isinstance(msg, str)
    assert str(tuple(s_shape)) in msg and str(tuple(t_shape)) in msg
    for w in words:
        assert w in msg


def test_registry_build():
    pytest.importorskip('mmengine')
    from kdbench.registry import MODELS
    loss = MODELS.build(dict(type='kdbench.KDLoss', tau=2))
    assert isinstance(loss, KDLoss) and loss.tau == 2.0
    for cls in (HintLoss, ATLoss, NSTLoss, RKDLoss):
        assert isinstance(MODELS.build(dict(type=f'kdbench.{cls.__name__}')),
                          cls)
