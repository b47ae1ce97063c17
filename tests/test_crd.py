"""CRD: the NCE loss by explicit loops, the scores against the other
network's bank, the bank's momentum update, Z from the first batch, the
banks in the checkpoint but not the student, and the error paths."""
import math

import pytest
import torch
import torch.nn.functional as F

import kdbench  # noqa: F401
from kdbench.losses.crd import CRDLoss, nce_loss

from test_distiller import batch, make


def test_nce_loss_by_loops():
    g = torch.Generator().manual_seed(0)
    scores = torch.rand(3, 5, generator=g, dtype=torch.float64) * 2e-3
    n_data, k = 100, 4
    pn = 1 / n_data
    total = 0.0
    for row in scores.tolist():
        total += math.log(row[0] / (row[0] + k * pn + 1e-7))
        for x in row[1:]:
            total += math.log(k * pn / (x + k * pn + 1e-7))
    assert nce_loss(scores, n_data).item() == pytest.approx(-total / 3,
                                                            rel=1e-12)


def _crd(**kw):
    torch.manual_seed(0)
    args = dict(num_samples=20, student_channels=6, teacher_channels=8,
                feat_dim=4, num_negatives=5, tau=0.1, momentum=0.5,
                loss_weight=0.8)
    args.update(kw)
    return CRDLoss(**args).double()


@pytest.mark.parametrize('dense_ratio', [0, 100])  # gather; whole bank
def test_crd_value_scores_and_bank_update(dense_ratio, monkeypatch):
    loss = _crd()
    monkeypatch.setattr(loss, 'DENSE_SCORING_RATIO', dense_ratio)
    g = torch.Generator().manual_seed(1)
    s = torch.randn(3, 6, 1, 1, generator=g, dtype=torch.float64)
    t = torch.randn(3, 8, 1, 1, generator=g, dtype=torch.float64)
    idx = torch.tensor([2, 7, 19])
    banks = (loss.memory_student.clone(), loss.memory_teacher.clone())
    torch.manual_seed(5)
    value = loss(s, t, sample_indices=idx)
    # by hand, with the same negatives
    torch.manual_seed(5)
    neg = torch.randint(0, 20, (3, 5))
    rows = torch.cat([idx[:, None], neg], 1)
    v_s = F.normalize(loss.embed_student(s.flatten(1)), dim=1).detach()
    v_t = F.normalize(loss.embed_teacher(t.flatten(1)), dim=1).detach()
    out_s = torch.stack([torch.exp(banks[1][r] @ v / 0.1)
                         for r, v in zip(rows, v_s)])
    out_t = torch.stack([torch.exp(banks[0][r] @ v / 0.1)
                         for r, v in zip(rows, v_t)])
    z_s, z_t = out_s.mean() * 20, out_t.mean() * 20
    assert loss.z_student.item() == pytest.approx(z_s.item(), rel=1e-6)
    expected = 0.8 * (nce_loss(out_s / z_s, 20) + nce_loss(out_t / z_t, 20))
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)
    # the rows of this batch moved halfway to the embeddings, unit norm;
    # the other rows did not move
    for bank, old, v in ((loss.memory_student, banks[0], v_s),
                         (loss.memory_teacher, banks[1], v_t)):
        want = F.normalize(0.5 * old[idx] + 0.5 * v, dim=1)
        assert torch.allclose(bank[idx], want.to(bank.dtype))
        others = [i for i in range(20) if i not in idx.tolist()]
        assert torch.equal(bank[others], old[others])
    # Z stays what the first batch fixed
    z = loss.z_student.item()
    loss(s, t, sample_indices=idx)
    assert loss.z_student.item() == z


def test_crd_gradients_reach_the_embeddings_and_the_student_only():
    """Gradients flow to the student and both embeddings, not to the
    teacher or the banks, and are the same whether the bank's rows are
    gathered or the whole bank is scored (the bank is updated in place
    after scoring: the backward must use the bank as it was)."""
    grads = []
    for ratio in (0, 100):  # gather; whole bank
        loss = _crd()
        loss.DENSE_SCORING_RATIO = ratio
        torch.manual_seed(3)
        s = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
        t = torch.randn(4, 8, dtype=torch.float64, requires_grad=True)
        loss(s, t, sample_indices=torch.arange(4)).backward()
        assert s.grad is not None and t.grad is None
        assert loss.embed_teacher.weight.grad is not None
        assert not loss.memory_student.requires_grad
        grads.append((s.grad, loss.embed_student.weight.grad,
                      loss.embed_teacher.weight.grad))
    for gather, dense in zip(*grads):
        assert torch.allclose(gather, dense, rtol=1e-9, atol=1e-12)


def test_crd_errors():
    loss = _crd()
    s, t = torch.randn(2, 6), torch.randn(2, 8)
    with pytest.raises(ValueError, match='needs the dataset indices'):
        loss(s.double(), t.double())
    with pytest.raises(ValueError, match='outside the bank'):
        loss(s.double(), t.double(), sample_indices=torch.tensor([1, 20]))
    with pytest.raises(ValueError, match='training set size'):
        CRDLoss(num_samples=1, student_channels=2, teacher_channels=2)
    with pytest.raises(ValueError, match='momentum'):
        CRDLoss(num_samples=5, student_channels=2, teacher_channels=2,
                momentum=1.0)


def test_crd_in_a_distiller_gets_indices_and_stays_out_of_the_student(
        random_teacher_ckpt):
    model = make(random_teacher_ckpt, distill_losses=dict(crd=dict(
        type='kdbench.CRDLoss', num_samples=100, num_negatives=16,
        student='backbone.layer4', teacher='backbone.layer4')))
    crd = model.distill_losses['crd']
    # channels inferred from the taps: the last stages' widths
    assert (crd.embed_student.in_features,
            crd.embed_teacher.in_features) == (
        model.student.head.fc.in_features, model.teacher.head.fc.in_features)
    data = batch()
    for k, sample in enumerate(data['data_samples']):
        sample.set_metainfo(dict(sample_idx=10 + k))
    before = crd.memory_student[10:18].clone()
    model.train()
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert torch.isfinite(losses['distill.loss_crd'])
    assert not torch.equal(crd.memory_student[10:18], before)
    keys = model.state_dict().keys()
    assert 'distill_losses.crd.memory_student' in keys
    assert not any(k.startswith('student.') and 'memory' in k for k in keys)


def test_mini_crd_config_banks_cover_the_training_set(fmnist_ready):
    """The mini config's bank has a row per training item, and the items
    the pipeline packs carry their index (sample_idx) within the set."""
    import os.path as osp

    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS

    from conftest import REPO
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/cls/crd/crd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == cfg.model.distill_losses.crd.num_samples
    item = dataset[4321]
    assert item['data_samples'].metainfo['sample_idx'] == 4321
