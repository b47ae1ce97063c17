"""CWD, PKD and MGD against independent numpy computations written here,
and MGD's generator (masking ratio, alignment, no masking in eval)."""
import math

import numpy as np
import pytest
import torch

from kdbench.connectors import MGDGenerator
from kdbench.losses import CWDLoss, MGDLoss, PKDLoss


def _maps(shape=(2, 3, 4, 5), seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * 2,
            torch.randn(*shape, generator=g, dtype=torch.float64) * 2)


def _softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_cwd_is_the_mean_channel_kl_of_spatial_softmaxes(tau):
    s, t = _maps()
    n, c = s.shape[:2]
    total = 0.0
    for i in range(n):
        for j in range(c):
            p = _softmax(t[i, j].numpy().ravel() / tau)
            q = _softmax(s[i, j].numpy().ravel() / tau)
            total += sum(pk * (math.log(pk) - math.log(qk))
                         for pk, qk in zip(p, q))
    expected = 3.0 * tau ** 2 * total / (n * c)
    assert CWDLoss(tau=tau, loss_weight=3.0)(s, t).item() == \
        pytest.approx(expected, rel=1e-9)
    assert CWDLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-12)
    assert 'equal shape' in CWDLoss().shape_problem((2, 3, 4, 5),
                                                    (2, 4, 4, 5))


def _standardize(x):
    """Per channel over (N, H, W), unbiased std + 1e-6, by loops."""
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        v = x[:, c]
        out[:, c] = (v - v.mean()) / (v.std(ddof=1) + 1e-6)
    return out


def test_pkd_is_half_the_mse_of_channel_standardised_maps():
    s, t = _maps(seed=1)
    expected = 6.0 * 0.5 * float(np.mean(
        (_standardize(s.numpy()) - _standardize(t.numpy())) ** 2))
    assert PKDLoss(loss_weight=6.0)(s, t).item() == pytest.approx(
        expected, rel=1e-9)
    # blind to a per-channel affine change of the student's magnitudes
    scaled = s * torch.tensor([3.0, 0.5, 7.0]).view(1, 3, 1, 1) + 2.0
    assert PKDLoss()(scaled, t).item() == pytest.approx(
        PKDLoss()(s, t).item(), rel=1e-6)


def test_pkd_resizes_a_student_map_of_another_size():
    s, t = _maps(shape=(2, 3, 8, 8), seed=2)
    small = torch.nn.functional.avg_pool2d(s, 2)
    resized = torch.nn.functional.interpolate(small, size=(8, 8),
                                              mode='bilinear',
                                              align_corners=False)
    assert PKDLoss()(small, t).item() == pytest.approx(
        PKDLoss()(resized, t).item(), rel=1e-12)
    assert 'equal batch and channels' in PKDLoss().shape_problem(
        (2, 3, 4, 4), (2, 5, 4, 4))


def test_mgd_loss_is_the_summed_squared_error_per_image():
    s, t = _maps(seed=3)
    expected = 2e-5 * float(((s.numpy() - t.numpy()) ** 2).sum()) / 2
    assert MGDLoss(loss_weight=2e-5)(s, t).item() == pytest.approx(
        expected, rel=1e-12)


def test_mgd_generator_masks_the_stated_share_and_aligns_channels():
    torch.manual_seed(0)
    gen = MGDGenerator(in_channels=4, out_channels=6, mask_ratio=0.65)
    feat = torch.ones(8, 6, 32, 32)
    keep = gen.mask(feat)
    assert keep.shape == (8, 1, 32, 32)
    assert set(keep.unique().tolist()) <= {0.0, 1.0}
    # 8192 locations: the masked share is 0.65 within 4 binomial sds
    share = 1 - keep.mean().item()
    assert abs(share - 0.65) < 4 * math.sqrt(0.65 * 0.35 / keep.numel())
    student = torch.randn(2, 4, 8, 8)
    out = gen(student)
    assert out.shape == (2, 6, 8, 8)
    # the generator's output on a masked input: recompute by hand with the
    # same draw
    torch.manual_seed(5)
    out = gen(student)
    torch.manual_seed(5)
    aligned = gen.align(student)
    manual = gen.generation(aligned * gen.mask(aligned))
    assert torch.equal(out, manual)
    # evaluation mode: no masking, deterministic
    gen.eval()
    assert torch.equal(gen(student), gen.generation(gen.align(student)))
    with pytest.raises(ValueError, match='mask_ratio'):
        MGDGenerator(in_channels=4, out_channels=4, mask_ratio=1.0)
    assert isinstance(MGDGenerator(in_channels=4, out_channels=4).align,
                      torch.nn.Identity)
