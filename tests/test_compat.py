"""kdbench.compat: checkpoint trust policy and CPU distributed shims."""
import numpy as np
import pytest
import torch

import kdbench  # noqa: F401
from kdbench import compat


@pytest.fixture
def pickled(tmp_path):
    path = tmp_path / 'run' / 'epoch_1.pth'
    path.parent.mkdir()
    torch.save(dict(state_dict={'w': torch.ones(2)},
                    meta=dict(hist=np.arange(3))), str(path))
    return str(path)


def test_weights_only_files_always_load(tmp_path):
    path = str(tmp_path / 'w.pth')
    compat.save_weights({'w': torch.arange(3.)}, path, dict(epoch=3))
    loaded = compat.load_checkpoint_file(path)
    assert torch.equal(loaded['state_dict']['w'], torch.arange(3.))
    assert loaded['meta'] == {'epoch': 3}
    torch.load(path, weights_only=True)  # plain torch agrees


def test_untrusted_pickle_refused_with_advice(pickled, monkeypatch):
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    with pytest.raises(compat.UntrustedCheckpointError) as err:
        compat.load_checkpoint_file(pickled)
    assert compat.ALLOW_PICKLE_ENV in str(err.value)
    assert 'weights.pth' in str(err.value)


def test_only_named_or_recorded_files_and_opt_in(pickled, monkeypatch,
                                                 tmp_path):
    from kdbench.utils import trust_ledger
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    monkeypatch.setenv(trust_ledger.LEDGER_ENV, str(tmp_path / 'ledger'))
    monkeypatch.setattr(compat, '_TRUSTED_FILES', [])
    # a directory is never trusted as a whole
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled)
    # a file the user named, as it was when named
    compat.trust_file(pickled)
    assert compat.load_checkpoint_file(pickled)['meta']['hist'].sum() == 3
    with open(pickled, 'ab') as f:
        f.write(b'\0')  # changed after it was named
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled)
    monkeypatch.setattr(compat, '_TRUSTED_FILES', [])
    monkeypatch.setenv(compat.ALLOW_PICKLE_ENV, '1')
    assert compat.load_checkpoint_file(pickled)['state_dict']['w'].sum() == 2
    # an explicit weights_only=True is never relaxed
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled, weights_only=True)


def test_ledger_trusts_a_recorded_checkpoint_until_it_changes(
        pickled, monkeypatch, tmp_path):
    from kdbench.utils import trust_ledger
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    monkeypatch.setenv(trust_ledger.LEDGER_ENV, str(tmp_path / 'ledger'))
    monkeypatch.setattr(compat, '_TRUSTED_FILES', [])
    trust_ledger.record(pickled)
    assert compat.load_checkpoint_file(pickled)['meta']['hist'].sum() == 3
    # a neighbour in the same directory is not trusted through it
    neighbour = str(tmp_path / 'run' / 'epoch_2.pth')
    torch.save(dict(meta=dict(hist=np.arange(2))), neighbour)
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(neighbour)
    # the recorded file replaced by other content
    torch.save(dict(meta=dict(hist=np.arange(4))), pickled)
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled)
    # a torn ledger line is ignored, not trusted through
    with open(tmp_path / 'ledger', 'a') as f:
        f.write('{"path": ')
    assert not trust_ledger.is_recorded(neighbour)


def test_mmengine_loader_uses_policy(pickled, monkeypatch, tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader

    from kdbench.utils import trust_ledger
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    monkeypatch.setenv(trust_ledger.LEDGER_ENV, str(tmp_path / 'ledger'))
    monkeypatch.setattr(compat, '_TRUSTED_FILES', [])
    with pytest.raises(compat.UntrustedCheckpointError):
        CheckpointLoader.load_checkpoint(pickled)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        CheckpointLoader.load_checkpoint(pickled + '.missing')


def test_dist_shims(monkeypatch):
    import mmengine.dist.utils as dist_utils
    from mmengine.config import Config
    assert dist_utils._init_dist_pytorch is compat._init_dist_pytorch_cpu_aware
    cfg = Config(dict(launcher='pytorch', env_cfg=dict(
        dist_cfg=dict(backend='nccl'))))
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    compat.adapt_cfg_to_device(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None
    assert cfg.model_wrapper_cfg.find_unused_parameters is False
    unused = Config(dict(launcher='pytorch', find_unused_parameters=True))
    compat.adapt_cfg_to_device(unused)
    assert unused.model_wrapper_cfg.find_unused_parameters is True
    single = Config(dict(launcher='none'))
    compat.adapt_cfg_to_device(single)
    assert 'model_wrapper_cfg' not in single


def test_mmseg_class_weighted_cross_entropy_with_ignored_pixels():
    """mmseg 1.2.2 raises IndexError on class-weighted CE when a batch holds
    ignored (255) pixels; with kdbench.seg's shim it is torch's weighted
    mean over the non-ignored pixels."""
    import torch.nn.functional as F
    import kdbench.seg  # noqa: F401  (applies the shim)
    from mmseg.registry import MODELS
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 4, 4, generator=g)
    labels = torch.randint(0, 3, (2, 4, 4), generator=g)
    labels[0, :2] = 255
    weights = [0.1, 1.0, 2.0]
    loss = MODELS.build(dict(type='CrossEntropyLoss', class_weight=weights,
                             avg_non_ignore=True, loss_weight=1.0))
    expected = F.cross_entropy(logits, labels, weight=torch.tensor(weights),
                               ignore_index=255)
    got = loss(logits, labels, ignore_index=255)
    assert torch.allclose(got, expected, atol=1e-6)
    # by hand: sum of w_y * (-log p_y) over kept pixels / sum of their w_y
    keep = labels != 255
    logp = logits.log_softmax(1).permute(0, 2, 3, 1)[keep]
    y = labels[keep]
    w = torch.tensor(weights)[y]
    by_hand = -(w * logp[torch.arange(len(y)), y]).sum() / w.sum()
    assert torch.allclose(got, by_hand, atol=1e-6)
    # avg_non_ignore=False counts each ignored pixel with weight 1
    loss_all = MODELS.build(dict(type='CrossEntropyLoss',
                                 class_weight=weights, loss_weight=1.0))
    got_all = loss_all(logits, labels, ignore_index=255)
    assert torch.allclose(got_all, by_hand * w.sum() /
                          (w.sum() + (~keep).sum()), atol=1e-6)


def test_shutdown_distributed_destroys_the_group(tmp_path):
    """After a finished run the default group is gone (so gloo's threads are
    joined before the interpreter exits); without a group it does nothing."""
    import torch.distributed as dist
    compat.shutdown_distributed()  # no group: a no-op, no error
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store',
                            rank=0, world_size=1)
    assert dist.is_initialized()
    compat.shutdown_distributed()
    assert not dist.is_initialized()
