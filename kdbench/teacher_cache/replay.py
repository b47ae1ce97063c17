"""Replayable training views: the random augmentation of every (epoch,
sample) is drawn from its own seed, so the teacher-output cache and the
training run that reads it see the same images.

``EpochIndexSampler`` (mmengine's ``DefaultSampler`` order) yields
``epoch * len(dataset) + index``; ``ViewReplayDataset`` decodes it, seeds
numpy's, Python's and torch's generators from ``(seed, epoch, index)`` for
the pipeline of that one sample (restoring them afterwards), and adds the
epoch, the view's seed and a checksum of the view to the sample's
metainfo. The checksum lets the cached distiller refuse a view that is not
the one the teacher saw (a changed pipeline, a transform that draws from
another generator).
"""
import random
import zlib
from typing import Iterator

import numpy as np
import torch
from mmengine.dataset import DefaultSampler
from mmengine.dataset.base_dataset import force_full_init

from kdbench.registry import DATA_SAMPLERS, DATASETS


def view_seed(seed: int, epoch: int, index: int) -> int:
    """The 32-bit seed of sample ``index``'s view in ``epoch``."""
    return zlib.crc32(f'{seed}:{epoch}:{index}'.encode())


def view_checksum(inputs: torch.Tensor) -> int:
    """CRC32 of a packed view's bytes (its dtype and shape included)."""
    array = np.ascontiguousarray(inputs.numpy())
    head = f'{array.dtype}{array.shape}'.encode()
    return zlib.crc32(array.tobytes(), zlib.crc32(head))


def inner_dataset_cfg(wrapper_cfg) -> dict:
    """The config of the dataset a ``ViewReplayDataset`` config wraps,
    with the wrapper's overrides (every key but ``type``, ``dataset`` and
    ``seed``) applied: the data the views come from."""
    if hasattr(wrapper_cfg, 'to_dict'):
        wrapper_cfg = wrapper_cfg.to_dict()
    inner = dict(wrapper_cfg['dataset'])
    inner.update({k: v for k, v in wrapper_cfg.items()
                  if k not in ('type', 'dataset', 'seed')})
    return inner


@DATA_SAMPLERS.register_module()
class EpochIndexSampler(DefaultSampler):
    """``DefaultSampler`` whose indices carry the epoch:
    ``epoch * len(dataset) + index`` (decoded by ``ViewReplayDataset``)."""

    def __iter__(self) -> Iterator[int]:
        offset = self.epoch * len(self.dataset)
        return (offset + i for i in super().__iter__())


@DATASETS.register_module()
class ViewReplayDataset:
    """Wraps a dataset so that each (epoch, sample) view is reproducible.

    Each sample is drawn with Python's, numpy's and torch's CPU generators
    seeded from (seed, epoch, index). Python's and torch's states are
    restored afterwards (the model draws from torch's: dropout, masks);
    numpy's global state is left as the view left it (restoring it costs
    0.1 ms a sample, a third of a mini sample's loading; only data
    pipelines draw from it, and this one re-seeds it every sample, so runs
    stay deterministic and resumable).

    Args:
        dataset: the dataset config (or object) whose pipeline augments.
        seed: the seed of the views (the cache's seed, not the run's: runs
            of any seed reading one cache see the same views).
        **overrides: settings of the wrapped dataset's config (e.g.
            ``indices``), so that the options a suite gives every method's
            training set reach it through the wrapper too.
    """

    def __init__(self, dataset, seed: int = 0, **overrides):
        if isinstance(dataset, dict):
            self.dataset = DATASETS.build(inner_dataset_cfg(dict(
                dataset=dataset, **overrides)))
        else:
            self.dataset = dataset
        self.seed = int(seed)
        self.metainfo = getattr(self.dataset, 'metainfo', {})
        self._fully_initialized = True

    def full_init(self):
        self.dataset.full_init()

    def __len__(self) -> int:
        return len(self.dataset)

    @force_full_init
    def get_data_info(self, idx):
        return self.dataset.get_data_info(idx % len(self.dataset))

    def __getitem__(self, item: int) -> dict:
        epoch, index = divmod(int(item), len(self.dataset))
        seed = view_seed(self.seed, epoch, index)
        states = (random.getstate(), torch.get_rng_state())
        try:
            random.seed(seed)
            np.random.seed(seed)
            # the CPU generator only: torch.manual_seed also queues a CUDA
            # seeding that records a stack trace per call (~1 ms a sample);
            # a data pipeline draws from the CPU generator
            torch.default_generator.manual_seed(seed)
            data = self.dataset[index]
        finally:
            random.setstate(states[0])
            torch.set_rng_state(states[1])
        data['data_samples'].set_metainfo(dict(
            sample_idx=index, cache_epoch=epoch, view_seed=seed,
            view_crc=view_checksum(data['inputs'])))
        return data


__all__ = ['EpochIndexSampler', 'ViewReplayDataset', 'view_seed',
           'view_checksum', 'inner_dataset_cfg']
