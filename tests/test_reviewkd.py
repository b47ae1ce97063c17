"""ReviewKD: the hierarchical context loss by explicit pooling loops, the
fusion order (deepest first, each shallower level fused with the deeper
residual), the teacher-size output, and a distiller over four stages."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kdbench  # noqa: F401
from kdbench.losses.reviewkd import (ReviewKDLoss,
                                     hierarchical_context_loss)

from test_distiller import batch, make


def _pool(x, size):
    """Average pooling to size x size by explicit blocks (H divisible)."""
    n, c, h, w = x.shape
    out = np.zeros((n, c, size, size))
    bh, bw = h // size, w // size
    for i in range(size):
        for j in range(size):
            out[:, :, i, j] = x[:, :, i * bh:(i + 1) * bh,
                                j * bw:(j + 1) * bw].mean(axis=(2, 3))
    return out


@pytest.mark.parametrize('h', [8, 4, 2, 1])
def test_hcl_weights_the_pooled_levels_by_halves(h):
    g = torch.Generator().manual_seed(h)
    s = torch.randn(2, 3, h, h, generator=g, dtype=torch.float64)
    t = torch.randn(2, 3, h, h, generator=g, dtype=torch.float64)
    a, b = s.numpy(), t.numpy()
    loss, total, weight = float(np.mean((a - b) ** 2)), 1.0, 1.0
    for size in (4, 2, 1):
        if size >= h:
            continue
        weight /= 2
        loss += weight * float(np.mean((_pool(a, size) - _pool(b, size))
                                       ** 2))
        total += weight
    assert hierarchical_context_loss(s, t).item() == pytest.approx(
        loss / total, rel=1e-12)


def test_fusion_runs_deepest_first_and_matches_teacher_sizes():
    torch.manual_seed(0)
    loss = ReviewKDLoss(student_channels=[4, 8], teacher_channels=[6, 10],
                        max_mid_channels=512).double()
    assert loss.fusions[1].att_conv is None        # deepest: no fusion
    assert loss.fusions[0].att_conv is not None
    assert loss.fusions[0].conv1[0].out_channels == 8  # min(512, 8)
    s = [torch.randn(2, 4, 8, 8, dtype=torch.float64),
         torch.randn(2, 8, 4, 4, dtype=torch.float64)]
    t = [torch.randn(2, 6, 8, 8, dtype=torch.float64),
         torch.randn(2, 10, 2, 2, dtype=torch.float64)]
    value = loss(s, t)
    # by hand: the deep level first (resized to the teacher's 2x2), then
    # the shallow level fused with the deep residual
    f1 = loss.fusions[1]
    x1 = F.interpolate(f1.conv1(s[1]), (2, 2), mode='nearest')
    out1 = f1.conv2(x1)
    f0 = loss.fusions[0]
    x0 = f0.conv1(s[0])
    r = F.interpolate(x1, (8, 8), mode='nearest')
    z = f0.att_conv(torch.cat([x0, r], 1))
    out0 = f0.conv2(x0 * z[:, :1] + r * z[:, 1:2])
    expected = hierarchical_context_loss(out1, t[1]) + \
        hierarchical_context_loss(out0, t[0])
    assert value.item() == pytest.approx(expected.item(), rel=1e-10)
    with pytest.raises(ValueError, match='built for 2 levels'):
        loss(s[:1], t[:1])
    with pytest.raises(ValueError, match='one student and one teacher'):
        ReviewKDLoss(student_channels=[4], teacher_channels=[4, 8])


def test_reviewkd_in_a_distiller_over_four_stages(random_teacher_ckpt):
    stages = [f'backbone.layer{i}' for i in range(1, 5)]
    model = make(random_teacher_ckpt, distill_losses=dict(reviewkd=dict(
        type='kdbench.ReviewKDLoss', student=stages, teacher=stages)))
    fusions = model.distill_losses['reviewkd'].fusions
    assert len(fusions) == 4
    model.train()
    losses = model(**model.data_preprocessor(batch(), True), mode='loss')
    value = losses['distill.loss_reviewkd']
    assert torch.isfinite(value) and value.item() > 0
    value.backward()
    assert fusions[0].conv1[0].weight.grad is not None
    assert model.student.backbone.layer1[0].conv1.weight.grad is not None
    # the fusion modules are the distiller's, not the student's
    assert not any(k.startswith('student.') and 'fusions' in k
                   for k in model.state_dict())
