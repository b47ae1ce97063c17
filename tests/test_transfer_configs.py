"""Transfer configs of the tiny track: each builds, loads the tiny backbone
strictly through its PretrainedBackbone init, and computes its losses."""
import glob
import os.path as osp

import numpy as np
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


FULL = [p for p in TRANSFER if 'mini' not in p]


def test_full_configs_start_from_the_imagenet_pretraining():
    assert {p.split('/')[2] for p in FULL} == {'det', 'seg', 'cls'}
    for path in FULL:
        cfg = Config.fromfile(osp.join(REPO, path))
        init = cfg.model.backbone.init_cfg
        assert init.type == 'kdbench.PretrainedBackbone'
        assert init.checkpoint.startswith(
            'work_dirs/benchmarks/tiny_in1k/'), path
        assert init.made_by.endswith('_in1k-r160.py')
        assert osp.isfile(osp.join(REPO, init.made_by))


def test_transfer_suites_point_at_their_configs(tmp_path):
    from kdbench.leaderboard.transfer import TransferRunner
    for name, pre_name in (('transfer_mini', 'tiny_mini'),
                           ('transfer_in1k', 'tiny_in1k')):
        suite = f'configs/benchmarks/{name}.py'
        runner = TransferRunner(osp.join(REPO, suite),
                                records_path=str(tmp_path / 'r.jsonl'),
                                work_root=str(tmp_path / 'w'))
        assert runner.suite.pretraining == \
            f'configs/benchmarks/{pre_name}.py'
        pre = runner.pretraining.suite
        for config in list(pre.methods.values()) + [pre.teacher.config]:
            assert osp.isfile(osp.join(REPO, config)), config
        for task in runner.tasks:
            spec = runner.task_spec(task)
            config = runner.tasks[task]['config']
            assert config in TRANSFER
            assert set(spec.methods) == set(runner.methods)
            assert set(runner.methods) <= set(pre.methods)
            assert ('mini' in config) == (name == 'transfer_mini')
        if name == 'transfer_mini':  # the matched-budget baseline too
            assert 'baseline_20e' in runner.methods
    assert set(runner.tasks) == {
        'transfer_det', 'transfer_seg', 'transfer_cls_food101',
        'transfer_cls_flowers102', 'transfer_cls_cars', 'transfer_cls_cub',
        'transfer_cls_pets'}


def test_dropout_head_drops_features_in_training_only():
    import torch.nn.functional as F
    head = MODELS.build(dict(type='kdbench.DropoutLinearClsHead',
                             num_classes=5, in_channels=16, dropout=0.5))
    feats = (torch.randn(64, 16), )
    head.eval()
    assert torch.equal(head(feats), head.fc(feats[0]))
    head.train()
    torch.manual_seed(3)
    out = head(feats)
    torch.manual_seed(3)
    dropped = F.dropout(feats[0], 0.5, training=True)
    assert torch.allclose(out, head.fc(dropped))
    assert not torch.allclose(out, head.fc(feats[0]))
    assert torch.equal(head.pre_logits(feats), feats[0])


def test_optical_digits_split_of_the_mini_classification_transfer():
    """The second dataset: train, validation and test are disjoint and
    together are the 1797 digits scikit-learn ships; the pipelines give 32
    px RGB images; the old two-way split is the default."""
    from collections import Counter
    from mmpretrain.registry import DATASETS
    from sklearn.datasets import load_digits
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/transfer/cls/mbv2-w0.35_1xb64-20e_digits-mini.py'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        train = DATASETS.build(cfg.train_dataloader.dataset)
        val = DATASETS.build(cfg.val_dataloader.dataset)
        test = DATASETS.build(cfg.test_dataloader.dataset)
        two_way = DATASETS.build(dict(type='kdbench.OpticalDigits',
                                      num_test=500, pipeline=[]))
    assert (len(train), len(val), len(test)) == (1097, 200, 500)
    assert len(two_way) == 1297

    def key(info):
        return info['img'].tobytes() + bytes([info['gt_label']])

    digits = load_digits()
    full = Counter(bytes(np.rint(img * 255 / 16).astype(np.uint8)) +
                   bytes([int(t)])
                   for img, t in zip(digits.images, digits.target))
    parts = Counter(key(train.get_data_info(i)) for i in range(len(train)))
    checked = Counter(key(val.get_data_info(i)) for i in range(len(val)))
    held = Counter(key(test.get_data_info(i)) for i in range(len(test)))
    # as multisets: no image is in two splits, none is left out
    assert parts + checked + held == full
    # the training part of the two-way split is train + validation
    assert Counter(key(two_way.get_data_info(i)) for i in
                   range(len(two_way))) == parts + checked
    assert set(np.unique(test.get_gt_labels())) == set(range(10))
    sample = test[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert sample['inputs'].dtype == torch.uint8
    with pytest.raises(ValueError, match='num_test'):
        DATASETS.build(dict(type='kdbench.OpticalDigits', num_test=0,
                            pipeline=[]))
    with pytest.raises(ValueError, match='num_val'):
        DATASETS.build(dict(type='kdbench.OpticalDigits', num_val=1297,
                            pipeline=[]))
    with pytest.raises(ValueError, match='split must be one of'):
        DATASETS.build(dict(type='kdbench.OpticalDigits', split='valid',
                            pipeline=[]))
    with pytest.raises(ValueError, match='needs num_val'):
        DATASETS.build(dict(type='kdbench.OpticalDigits', split='val',
                            pipeline=[]))


def test_optical_digits_without_scikit_learn_says_how_to_install(
        monkeypatch):
    import sys
    from mmpretrain.registry import DATASETS
    monkeypatch.setitem(sys.modules, 'sklearn.datasets', None)
    with pytest.raises(ImportError, match='requirements/stack.txt'):
        DATASETS.build(dict(type='kdbench.OpticalDigits', pipeline=[]))
