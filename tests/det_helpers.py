"""Small synthetic detection batches and random mini teachers for tests."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from pretrained_helpers import (offline_pretrained,  # noqa: F401
                                offline_pretrained_config)

GFL_TEACHER = 'configs/_base_/models/gfl_r18-fpn64_mini.py'
GFL_STUDENT = 'configs/_base_/models/gfl_r18-w16-fpn64_mini.py'
FRCNN_TEACHER = 'configs/_base_/models/faster-rcnn_r18-fpn64_mini.py'
FRCNN_STUDENT = 'configs/_base_/models/faster-rcnn_r18-w16-fpn64_mini.py'


def det_batch(n: int = 2, size: int = 128, seed: int = 0):
    """(inputs, data_samples) as a detector's ``loss`` receives them:
    normalised images and 1-3 boxes per image (10 classes)."""
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(n, 3, size, size, generator=g)
    samples = []
    for _ in range(n):
        k = int(torch.randint(1, 4, (1,), generator=g))
        xy = torch.rand(k, 2, generator=g) * (size - 70)
        wh = 20 + torch.rand(k, 2, generator=g) * 44
        sample = DetDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            pad_shape=(size, size), batch_input_shape=(size, size),
            scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(
            bboxes=torch.cat([xy, xy + wh], 1),
            labels=torch.randint(0, 10, (k,), generator=g))
        samples.append(sample)
    return inputs, samples


def random_weights(model_cfg: str, path: str, init: bool = True) -> str:
    """Save a randomly initialised model, weights only (``init``: run its
    ``init_weights``; off for models whose init downloads pretrained
    weights)."""
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    torch.manual_seed(0)
    model = build_model(offline_pretrained(model_cfg) if init else model_cfg,
                        'teacher')
    if init:
        model.init_weights()
    save_weights(model.state_dict(), path, dict(note='random init'))
    return path

