"""Transfer configs of the tiny track: each builds, loads the tiny backbone
strictly through its PretrainedBackbone init, and computes its losses."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
import kdbench.seg  # noqa: F401
from kdbench.registry import MODELS
from conftest import REPO
from pretrained_helpers import offline_pretrained

TRANSFER = sorted(osp.relpath(p, REPO) for p in glob.glob(
    osp.join(REPO, 'configs', 'transfer', '*', '*.py')))


def _batch(task):
    if task == 'det':
        from det_helpers import det_batch
        return det_batch()
    if task == 'seg':
        from test_seg_distiller import seg_batch
        inputs, samples = seg_batch(size=128)
        for s in samples:  # 11 mini classes
            s.gt_sem_seg.data.clamp_(max=10).masked_fill_(
                s.gt_sem_seg.data == 10, 255)
        return inputs, samples
    from test_netaug import batch
    return batch(size=28)


def test_every_downstream_task_has_a_config():
    assert {p.split('/')[2] for p in TRANSFER} == {'det', 'seg', 'cls'}


@pytest.mark.parametrize('path', TRANSFER)
def test_transfer_config_loads_the_tiny_backbone_and_trains(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    model_cfg = offline_pretrained(cfg.model.to_dict())
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor',
                             cfg.data_preprocessor.to_dict())
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(ConfigDict(model_cfg))
    model.init_weights()
    backbone = model.backbone
    assert type(backbone).__name__ == 'SliceableMobileNetV2'
    saved = torch.load(model_cfg['backbone']['init_cfg']['checkpoint'],
                       weights_only=True)['state_dict']
    assert torch.equal(backbone.layer3[0].expand.conv.weight,
                       saved['backbone.layer3.0.expand.conv.weight'])
    inputs, samples = _batch(path.split('/')[2])
    losses = model.train().loss(inputs, samples)
    total, _ = model.parse_losses(losses)
    assert torch.isfinite(total)
    total.backward()
    assert backbone.conv1.conv.weight.grad is not None
