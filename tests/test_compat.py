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


def test_trusted_directory_and_opt_in(pickled, monkeypatch, tmp_path):
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    monkeypatch.setattr(compat, '_TRUSTED_DIRS', [])
    compat.trust_directory(str(tmp_path / 'other'))
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled)
    compat.trust_directory(str(tmp_path / 'run'))
    assert compat.load_checkpoint_file(pickled)['meta']['hist'].sum() == 3
    monkeypatch.setattr(compat, '_TRUSTED_DIRS', [])
    monkeypatch.setenv(compat.ALLOW_PICKLE_ENV, '1')
    assert compat.load_checkpoint_file(pickled)['state_dict']['w'].sum() == 2
    # an explicit weights_only=True is never relaxed
    with pytest.raises(compat.UntrustedCheckpointError):
        compat.load_checkpoint_file(pickled, weights_only=True)


def test_mmengine_loader_uses_policy(pickled, monkeypatch):
    from mmengine.runner.checkpoint import CheckpointLoader
    monkeypatch.delenv(compat.ALLOW_PICKLE_ENV, raising=False)
    monkeypatch.setattr(compat, '_TRUSTED_DIRS', [])
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
