"""Backbone initialisation from a pretraining run's weights, checked."""
import os.path as osp
from typing import Optional

import torch.nn as nn
from mmengine.logging import print_log

from kdbench.compat import load_checkpoint_file
from kdbench.registry import WEIGHT_INITIALIZERS


class PretrainedMismatchError(ValueError):
    pass


@WEIGHT_INITIALIZERS.register_module()
class PretrainedBackbone:
    """``init_cfg=dict(type='kdbench.PretrainedBackbone', checkpoint=...,
    made_by=<pretraining config>)``: mmengine's ``Pretrained`` init made
    strict, for backbones that start from a kdbench pretraining run (the
    mini track's analogue of ImageNet weights).

    mmengine's ``Pretrained`` loads with ``strict=False`` and only logs keys
    it could not match, so a wrong prefix or width trains from scratch
    without notice. Here every parameter and buffer of the module must come
    from the checkpoint with the same shape, else the run stops naming the
    keys; a missing file names the command that makes it.

    Args:
        checkpoint: weights file (``{'state_dict': ...}`` or a plain state
            dict), e.g. the ``weights.pth`` a pretraining run writes.
        prefix: key prefix of the module in the checkpoint ('backbone.' for
            an mmpretrain ImageClassifier's backbone).
        made_by: the config that produces ``checkpoint``, for the error.
    """

    def __init__(self, checkpoint: str, prefix: str = 'backbone.',
                 made_by: Optional[str] = None, map_location: str = 'cpu'):
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.made_by = made_by
        self.map_location = map_location

    def _missing_file_error(self) -> FileNotFoundError:
        how = 'Check the path.'
        if self.made_by:
            work_dir = osp.dirname(self.checkpoint)
            how = (f'Make it with `python tools/train.py {self.made_by} '
                   f'--work-dir {work_dir}` (tools/benchmark.py does this '
                   f'itself for suites that list it under `pretrained`).')
        return FileNotFoundError(
            f'Pretrained backbone weights {self.checkpoint!r} not found. '
            f'{how}')

    def __call__(self, module: nn.Module) -> None:
        if not osp.isfile(self.checkpoint):
            raise self._missing_file_error()
        loaded = load_checkpoint_file(self.checkpoint, self.map_location)
        state = loaded.get('state_dict', loaded)
        state = {k[len(self.prefix):]: v for k, v in state.items()
                 if k.startswith(self.prefix)}
        own = module.state_dict()
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        wrong_shape = [
            f'{k}: checkpoint {tuple(state[k].shape)} vs module '
            f'{tuple(v.shape)}' for k, v in own.items()
            if k in state and state[k].shape != v.shape]
        if missing or unexpected or wrong_shape:
            def some(keys):
                return ', '.join(keys[:5]) + (' ...' if len(keys) > 5 else '')
            raise PretrainedMismatchError(
                f'{self.checkpoint!r} (prefix {self.prefix!r}) does not fit '
                f'{type(module).__name__}: {len(missing)} keys missing '
                f'[{some(missing)}], {len(unexpected)} unexpected '
                f'[{some(unexpected)}], {len(wrong_shape)} of another shape '
                f'[{some(wrong_shape)}]. Pretrain the same backbone (type, '
                f'depth, widths) or fix the prefix.')
        module.load_state_dict(state, strict=True)
        print_log(f'{type(module).__name__}: {len(state)} tensors from '
                  f'{self.checkpoint} (prefix {self.prefix!r})',
                  logger='current')
        if hasattr(module, '_params_init_info'):
            from mmengine.model.weight_init import update_init_info
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self) -> str:
        return f'{type(self).__name__}: load from {self.checkpoint}'
