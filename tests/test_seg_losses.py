"""Structured KD losses against values computed by hand / numpy."""
import numpy as np
import pytest
import torch

import kdbench  # noqa: F401
from kdbench.losses import PairwiseAffinityLoss, PixelwiseKDLoss


def _log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def test_pixelwise_kd_by_numpy_with_ignored_pixels():
    rng = np.random.default_rng(0)
    s = rng.normal(size=(2, 3, 4, 5))
    t = rng.normal(size=(2, 3, 4, 5))
    gt = rng.integers(0, 3, size=(2, 4, 5))
    gt[0, 0, :] = 255
    gt[1, 2, 3] = 255
    ls, lt = _log_softmax(s, 1), _log_softmax(t, 1)
    kl = (np.exp(lt) * (lt - ls)).sum(1)  # (2, 4, 5)
    keep = gt != 255
    loss = PixelwiseKDLoss(loss_weight=10.0)(
        torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    assert loss.item() == pytest.approx(10 * kl[keep].mean(), rel=1e-10)
    # the official code: no mask, summed over the batch, / (H·W)
    official = PixelwiseKDLoss(loss_weight=1.0, ignore_index=None,
                               reduction='official')(
        torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    assert official.item() == pytest.approx(kl.sum() / 20, rel=1e-10)
    # temperature: T² · KL of the tempered distributions
    tau = 2.0
    ls2, lt2 = _log_softmax(s / tau, 1), _log_softmax(t / tau, 1)
    kl2 = (np.exp(lt2) * (lt2 - ls2)).sum(1)
    hot = PixelwiseKDLoss(tau=tau, loss_weight=1.0)(
        torch.tensor(s), torch.tensor(t))
    assert hot.item() == pytest.approx(tau ** 2 * kl2.mean(), rel=1e-10)


def test_pixelwise_kd_resizes_labels_and_explains_shapes():
    s = torch.zeros(1, 2, 2, 2, dtype=torch.float64)
    t = torch.tensor([[[[1.0, 0], [0, 0]], [[0, 0], [0, 0]]]],
                     dtype=torch.float64)
    gt = torch.full((1, 8, 8), 255)
    gt[0, :4, :4] = 1  # only the top-left logit pixel is labelled
    loss = PixelwiseKDLoss(loss_weight=1.0)(s, t, gt)
    p = np.exp([1.0, 0]) / np.exp([1.0, 0]).sum()
    assert loss.item() == pytest.approx((p * np.log(p / 0.5)).sum())
    with pytest.raises(ValueError, match=r'\(1, 2, 2, 2\).*\(1, 2, 4, 4\)'
                       r'.*kdbench.Resize'):
        PixelwiseKDLoss()(s, torch.zeros(1, 2, 4, 4))


def test_pixelwise_kd_class_weights_give_the_weighted_mean():
    rng = np.random.default_rng(1)
    s = rng.normal(size=(2, 3, 4, 4))
    t = rng.normal(size=(2, 3, 4, 4))
    gt = rng.integers(0, 3, size=(2, 4, 4))
    gt[1, 0, :] = 255
    ls, lt = _log_softmax(s, 1), _log_softmax(t, 1)
    kl = (np.exp(lt) * (lt - ls)).sum(1)
    w_class = np.array([0.1, 1.0, 2.0])
    keep = gt != 255
    w = np.where(keep, w_class[np.where(keep, gt, 0)], 0.0)
    loss = PixelwiseKDLoss(loss_weight=10.0, class_weight=[0.1, 1.0, 2.0])(
        torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    assert loss.item() == pytest.approx(10 * (w * kl).sum() / w.sum(),
                                        rel=1e-10)
    # the weights change the value (background-heavy maps weigh less)
    plain = PixelwiseKDLoss(loss_weight=10.0)(
        torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    assert plain.item() != pytest.approx(loss.item(), rel=1e-3)
    # unit weights are the plain masked mean
    ones = PixelwiseKDLoss(loss_weight=10.0, class_weight=[1.0] * 3)(
        torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    assert ones.item() == pytest.approx(plain.item(), rel=1e-10)
    with pytest.raises(ValueError, match='2 entries.*3 classes'):
        PixelwiseKDLoss(class_weight=[1.0, 1.0])(
            torch.tensor(s), torch.tensor(t), torch.tensor(gt))
    with pytest.raises(ValueError, match='needs the label maps'):
        PixelwiseKDLoss(class_weight=[1.0] * 3)(torch.tensor(s),
                                                 torch.tensor(t))
    with pytest.raises(ValueError, match='non-negative'):
        PixelwiseKDLoss(class_weight=[1.0, -1.0])


def test_pairwise_affinity_on_a_2x2_toy_map():
    # 2x2 map, node size 1: 4 nodes; channels differ between the networks
    s = torch.tensor([[[[1.0, 0.0], [1.0, 1.0]],
                       [[0.0, 1.0], [1.0, -1.0]]]])          # (1, 2, 2, 2)
    t = torch.tensor([[[[1.0, 1.0], [0.0, 2.0]],
                       [[0.0, 0.0], [1.0, 0.0]],
                       [[0.0, 0.0], [0.0, 0.0]]]])           # (1, 3, 2, 2)
    # nodes (row-major): s: (1,0) (0,1) (1,1) (1,-1); t: (1,0,0) (1,0,0)
    # (0,1,0) (2,0,0)
    fs = np.array([[1, 0], [0, 1], [1, 1], [1, -1]], float)
    ft = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [2, 0, 0]], float)
    fs /= np.linalg.norm(fs, axis=1, keepdims=True)
    ft /= np.linalg.norm(ft, axis=1, keepdims=True)
    expected = ((fs @ fs.T - ft @ ft.T) ** 2).sum() / 16
    loss = PairwiseAffinityLoss(node_size=1)(s, t)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # one 2x2 node per image: its affinity with itself is 1 in both nets
    assert PairwiseAffinityLoss(node_size=2)(s, t).item() == \
        pytest.approx(0.0, abs=1e-7)


def test_pairwise_official_pool_scale_gives_a_2x2_graph():
    loss = PairwiseAffinityLoss(node_size=None, pool_scale=0.5)
    feat = torch.randn(2, 8, 64, 64)
    assert loss.affinity(feat).shape == (2, 4, 4)
    # a 65-wide map with ceil mode: kernel 32 -> 3 columns of nodes
    assert loss.affinity(torch.randn(1, 8, 64, 65)).shape == (1, 6, 6)
    assert PairwiseAffinityLoss(node_size=2).affinity(feat).shape == \
        (2, 1024, 1024)
    with pytest.raises(ValueError, match='exactly one of node_size'):
        PairwiseAffinityLoss(node_size=2, pool_scale=0.5)
    with pytest.raises(ValueError, match='spatial size'):
        PairwiseAffinityLoss()(torch.zeros(1, 4, 8, 8),
                               torch.zeros(1, 4, 4, 4))


def test_pairwise_gradient_skips_the_norm_when_detached():
    s = torch.randn(1, 3, 2, 2, dtype=torch.float64, requires_grad=True)
    t = torch.randn(1, 5, 2, 2, dtype=torch.float64)
    # the full gradient is the true derivative; the detached one is not
    loss_fn = PairwiseAffinityLoss(node_size=1, detach_norm=False)
    assert torch.autograd.gradcheck(lambda x: loss_fn(x, t), (s, ),
                                    eps=1e-6, atol=1e-5)
    g_detached = torch.autograd.grad(
        PairwiseAffinityLoss(node_size=1)(s, t), s)[0]
    g_full = torch.autograd.grad(
        PairwiseAffinityLoss(node_size=1, detach_norm=False)(s, t), s)[0]
    assert not torch.allclose(g_detached, g_full)


# ---------------------------------------------------------- holistic
def test_gradient_penalty_of_a_known_linear_critic():
    """D(x) = Σ w·x has gradient w everywhere: GP = (‖w‖ − 1)²."""
    from kdbench.losses.wgan_gp import critic_loss, gradient_penalty
    w = torch.tensor([[[[3.0, 0.0], [0.0, 4.0]]]], dtype=torch.float64)

    def critic(x):
        return (x * w).flatten(1).sum(1)
    real = torch.randn(5, 1, 2, 2, dtype=torch.float64)
    fake = torch.randn(5, 1, 2, 2, dtype=torch.float64)
    assert gradient_penalty(critic, real, fake).item() == \
        pytest.approx((5.0 - 1) ** 2)
    parts = critic_loss(critic, real, fake, gp_weight=10.0)
    expected = critic(fake).mean() - critic(real).mean()
    assert parts['loss_wasserstein'].item() == pytest.approx(
        expected.item())
    assert parts['loss_gp'].item() == pytest.approx(160.0)


def test_gradient_penalty_of_a_quadratic_critic_is_differentiable():
    """D(x) = c·Σ x²: ∇ = 2c·x̂, so GP depends on c and its gradient
    w.r.t. c is d/dc mean((2c‖x̂‖ − 1)²) = mean(4‖x̂‖(2c‖x̂‖ − 1))."""
    from kdbench.losses.wgan_gp import gradient_penalty
    c = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    real = torch.ones(1, 2, dtype=torch.float64)
    fake = torch.ones(1, 2, dtype=torch.float64)  # x̂ = (1, 1) for any a
    gp = gradient_penalty(lambda x: c * x.pow(2).sum(1), real, fake)
    norm = 2 ** 0.5
    assert gp.item() == pytest.approx((2 * 0.3 * norm - 1) ** 2)
    gp.backward()
    assert c.grad.item() == pytest.approx(4 * norm * (2 * 0.3 * norm - 1))


def test_score_map_discriminator_shapes_and_errors():
    from kdbench.seg import ScoreMapDiscriminator
    d = ScoreMapDiscriminator(num_classes=11)
    assert d(torch.randn(2, 11, 64, 128)).shape == (2, )
    assert sum(isinstance(m, torch.nn.Module) and
               hasattr(m, 'weight_orig') for m in d.modules()) == 4
    with pytest.raises(ValueError, match='at least 64x64.*got 16x32'):
        d(torch.randn(2, 11, 16, 32))
    conditioned = ScoreMapDiscriminator(num_classes=11, with_image=True)
    out = conditioned(torch.randn(2, 11, 64, 64), torch.randn(2, 3, 128, 128))
    assert out.shape == (2, )
    with pytest.raises(ValueError, match='pass the images'):
        conditioned(torch.randn(2, 11, 64, 64))


def test_loss_options_and_row_shapes_are_checked_with_the_choices():
    from kdbench.losses import (DistributionKLLoss, HintLoss, KDLoss,
                                WeightedSoftCELoss)
    for loss_cls in (PixelwiseKDLoss, HintLoss, KDLoss):
        with pytest.raises(ValueError, match=r"reduction must be one of "
                           r"\('.*'\), got 'median'"):
            loss_cls(reduction='median')
    for loss_cls, columns in ((DistributionKLLoss, 'bins'),
                              (WeightedSoftCELoss, 'classes')):
        with pytest.raises(ValueError, match=rf'{loss_cls.__name__} needs '
                           rf'\(rows, {columns}\).*\(4, 3\).*\(4, 5\)'):
            loss_cls()(torch.zeros(4, 3), torch.zeros(4, 5))
