"""kdbench.LinearHeadFitHook (SSKD's head trained to convergence): the
fit against an independent optimiser of the same objective written in
numpy, and its error paths."""
import numpy as np
import pytest
import torch
from scipy import optimize
from scipy.special import logsumexp

from kdbench.engine.hooks import LinearHeadFitHook, fit_linear_head


def _objective(theta, x, y, classes, decay):
    """mean CE of softmax(x W^T + b) + decay/2 (|W|^2 + |b|^2), and its
    gradient, in numpy."""
    w = theta[:classes * x.shape[1]].reshape(classes, x.shape[1])
    b = theta[classes * x.shape[1]:]
    z = x @ w.T + b
    logp = z - logsumexp(z, axis=1, keepdims=True)
    n = len(y)
    loss = -logp[np.arange(n), y].mean() + 0.5 * decay * (theta ** 2).sum()
    p = np.exp(logp)
    p[np.arange(n), y] -= 1
    gw = p.T @ x / n + decay * w
    gb = p.mean(0) + decay * b
    return loss, np.concatenate([gw.ravel(), gb])


def test_fit_reaches_the_optimum_of_independent_math():
    rng = np.random.default_rng(0)
    classes, dim, n = 4, 6, 300
    x = rng.normal(size=(n, dim)) * rng.uniform(0.1, 5.0, size=dim)
    y = rng.integers(0, classes, size=n)
    x[np.arange(n), y % dim] += 1.5  # some signal
    decay = 5e-3
    ref = optimize.minimize(_objective, np.zeros(classes * (dim + 1)),
                            args=(x, y, classes, decay), jac=True,
                            method='BFGS', options=dict(gtol=1e-9,
                                                        maxiter=10000))
    assert np.abs(ref.jac).max() < 1e-6  # at the optimum
    weight, bias, info = fit_linear_head(
        torch.from_numpy(x).float(), torch.from_numpy(y),
        torch.zeros(classes, dim), torch.zeros(classes), decay)
    assert weight.dtype == torch.float32
    theta = np.concatenate([weight.double().numpy().ravel(),
                            bias.double().numpy()])
    # the same objective value and minimiser (strictly convex with decay)
    assert info['after'] == pytest.approx(ref.fun, abs=1e-7)
    assert np.allclose(theta, ref.x, atol=1e-4)
    assert info['before'] == pytest.approx(np.log(classes))
    assert info['grad_max'] < 1e-6


class _Model:
    def __init__(self, stages, student):
        self.stages = stages
        self.student = student


class _Runner:
    def __init__(self, model):
        self.model = model


def test_hook_refuses_an_unknown_stage_or_a_non_linear_layer():
    student = torch.nn.Module()
    student.head = torch.nn.Module()
    student.head.fc = torch.nn.Linear(3, 2)
    student.head.act = torch.nn.ReLU()
    runner = _Runner(_Model([dict(name='mimic'), dict(name='head')],
                            student))
    with pytest.raises(ValueError, match=r"no stage named 'classifier'"):
        LinearHeadFitHook(stage='classifier').before_train(runner)
    with pytest.raises(ValueError, match='ReLU, not a Linear'):
        LinearHeadFitHook(layer='head.act').before_train(runner)
    from kdbench.recorders import TapError
    with pytest.raises(TapError, match='head.fc'):
        LinearHeadFitHook(layer='head.fcc').before_train(runner)
    LinearHeadFitHook().before_train(runner)  # a valid set-up
