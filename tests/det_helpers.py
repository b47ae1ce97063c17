"""Small synthetic detection batches and random mini teachers for tests."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

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


_PRETRAINED_DIR = []  # one temporary directory per test process


def offline_pretrained(model_cfg) -> dict:
    """``model_cfg`` (config path or model dict) as a model dict whose
    backbone's ``kdbench.PretrainedBackbone`` init loads *random* weights of
    the same backbone, saved once per test process in a temporary directory.

    Tests then go through the strict loader without the minutes-long real
    pretraining (and never write into ``work_dirs/pretrained``, whose files
    the benchmark trusts)."""
    import atexit
    import copy
    import hashlib
    import json
    import os.path as osp
    import shutil
    import tempfile

    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from kdbench.compat import save_weights
    cfg = (Config.fromfile(model_cfg).model.to_dict()
           if isinstance(model_cfg, str) else copy.deepcopy(model_cfg))
    init = cfg['backbone'].get('init_cfg')
    if not init or init.get('type') != 'kdbench.PretrainedBackbone':
        return cfg
    if not _PRETRAINED_DIR:
        _PRETRAINED_DIR.append(tempfile.mkdtemp(prefix='kdbench-pretrained-'))
        atexit.register(shutil.rmtree, _PRETRAINED_DIR[0], True)
    backbone = {k: v for k, v in cfg['backbone'].items() if k != 'init_cfg'}
    key = hashlib.sha1(json.dumps(backbone, sort_keys=True).encode())
    path = osp.join(_PRETRAINED_DIR[0], key.hexdigest()[:16] + '.pth')
    if not osp.isfile(path):
        torch.manual_seed(0)
        with DefaultScope.overwrite_default_scope('mmdet'):
            net = MODELS.build(backbone)
        save_weights({'backbone.' + k: v
                      for k, v in net.state_dict().items()}, path,
                     dict(note='random backbone for tests'))
    cfg['backbone']['init_cfg'] = dict(init, checkpoint=path)
    return cfg


def offline_pretrained_config(model_cfg: str, path: str) -> str:
    """Write ``offline_pretrained(model_cfg)`` as a model config file (for
    a subprocess: ``--cfg-options model.student=<path>``)."""
    from mmengine.config import Config
    Config(dict(model=offline_pretrained(model_cfg))).dump(path)
    return path
