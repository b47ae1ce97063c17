"""Random stand-ins for the mini pretrained backbones, for tests.

The mini detection and segmentation models start from the mini pretraining
(``work_dirs/pretrained``, minutes of training). Tests instead point their
``kdbench.PretrainedBackbone`` init at random weights of the same backbone,
so they still go through the strict loader, and never write into
``work_dirs/pretrained``, whose files the benchmark trusts.
"""
import atexit
import copy
import hashlib
import json
import os.path as osp
import shutil
import tempfile

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from kdbench.compat import save_weights

_PRETRAINED_DIR = []  # one temporary directory per test process


def _weights_dir() -> str:
    if not _PRETRAINED_DIR:
        _PRETRAINED_DIR.append(tempfile.mkdtemp(prefix='kdbench-pretrained-'))
        atexit.register(shutil.rmtree, _PRETRAINED_DIR[0], True)
    return _PRETRAINED_DIR[0]


def offline_pretrained(model_cfg) -> dict:
    """``model_cfg`` (config path or model dict) as a model dict whose
    backbone's ``kdbench.PretrainedBackbone`` init loads random weights of
    the same backbone (saved once per test process)."""
    cfg = (Config.fromfile(model_cfg).model.to_dict()
           if isinstance(model_cfg, str) else copy.deepcopy(model_cfg))
    init = cfg['backbone'].get('init_cfg')
    if not init or init.get('type') != 'kdbench.PretrainedBackbone':
        return cfg
    backbone = {k: v for k, v in cfg['backbone'].items() if k != 'init_cfg'}
    key = hashlib.sha1(json.dumps([cfg['type'], backbone],
                                  sort_keys=True).encode())
    path = osp.join(_weights_dir(), key.hexdigest()[:16] + '.pth')
    if not osp.isfile(path):
        torch.manual_seed(0)
        # the backbone type resolves in the model's own package (mmdet's and
        # mmseg's ResNet take different arguments)
        scope = cfg['type'].split('.')[0] if '.' in cfg['type'] else 'mmdet'
        with DefaultScope.overwrite_default_scope(scope):
            net = MODELS.build(backbone)
        save_weights({'backbone.' + k: v
                      for k, v in net.state_dict().items()}, path,
                     dict(note='random backbone for tests'))
    cfg['backbone']['init_cfg'] = dict(init, checkpoint=path)
    return cfg


def offline_pretrained_config(model_cfg: str, path: str) -> str:
    """Write ``offline_pretrained(model_cfg)`` as a model config file (for
    a subprocess: ``--cfg-options model.student=<path>``)."""
    Config(dict(model=offline_pretrained(model_cfg))).dump(path)
    return path
