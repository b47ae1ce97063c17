"""The mini classification data's three splits: disjoint, of the stated
sizes, and the test split reached only after training."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import kdbench  # noqa: F401
from kdbench.registry import DATASETS

from conftest import REPO

DATA_CFG = osp.join(REPO, 'configs/_base_/datasets/mini_fashion_mnist.py')


def _build(cfg):
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return DATASETS.build(cfg)


def _images(dataset):
    return np.stack([dataset.get_data_info(i)['img']
                     for i in range(len(dataset))])


def test_splits_are_disjoint_and_sized(fmnist_ready):
    from kdbench.datasets.fashion_mnist import read_idx
    cfg = Config.fromfile(DATA_CFG)
    train = _build(cfg.train_dataloader.dataset)
    val = _build(cfg.val_dataloader.dataset)
    test = _build(cfg.test_dataloader.dataset)
    assert (len(train), len(val), len(test)) == (5000, 2000, 10000)
    images = read_idx(osp.join(fmnist_ready, 'train-images-idx3-ubyte'))
    labels = read_idx(osp.join(fmnist_ready, 'train-labels-idx1-ubyte'))
    # validation = training images 55000..56999, in order, outside the 5k
    assert np.array_equal(_images(val), images[55000:57000])
    assert [val.get_gt_labels()[i] for i in (0, 1999)] == [
        labels[55000], labels[56999]]
    assert np.array_equal(_images(train), images[:5000])
    assert test.test_mode and not val.test_mode
    # the test split is evaluated only on request (the runner asks)
    assert not cfg.get('test_after_train', False)


def test_index_range_and_a_prefix_of_it(fmnist_ready):
    cfg = Config.fromfile(DATA_CFG).val_dataloader.dataset
    cfg.indices = 7
    part = _build(cfg)
    assert len(part) == 7
    whole = _build(Config.fromfile(DATA_CFG).val_dataloader.dataset)
    assert np.array_equal(_images(part), _images(whole)[:7])


@pytest.mark.parametrize('kwargs,match', [
    (dict(index_range=(5, 5)), 'start < stop'),
    (dict(index_range=(-1, 5)), 'start < stop'),
    (dict(index_range=(0, 5), indices=[1, 2]), 'only be a number'),
])
def test_bad_index_range(kwargs, match, fmnist_ready):
    cfg = dict(type='kdbench.MiniFashionMNIST', data_root=fmnist_ready,
               split='train', pipeline=[], **kwargs)
    with pytest.raises(ValueError, match=match):
        _build(cfg)
