"""Build a student or teacher from an inline dict or a config reference.

A reference is one of:

* a model dict, e.g. ``dict(type='mmpretrain.ImageClassifier', ...)``;
* a config file path (absolute, relative to the working directory, or
  relative to the kdbench checkout), whose ``model`` is used;
* a package config, ``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``,
  ``'mmdet::...'``, ``'mmseg::...'``.

The model is built under the scope its config declares (``default_scope``)
or its type prefix names, so mmpretrain, mmdet and mmseg models can be
students and teachers of a kdbench distiller whatever the outer scope.
"""
import copy
import difflib
import glob
import os.path as osp
from typing import Optional, Tuple, Union

import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

from kdbench.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class ModelRefError(ValueError):
    """A student/teacher reference cannot be resolved."""


def _resolve_path(ref: str, role: str) -> str:
    for candidate in (ref, osp.join(REPO_ROOT, ref)):
        if osp.isfile(candidate):
            return candidate
    pool = glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                     recursive=True)
    pool = [osp.relpath(p, REPO_ROOT) for p in pool]
    close = difflib.get_close_matches(ref, pool, n=5, cutoff=0.5)
    hint = (' Closest configs: ' + ', '.join(close) + '.') if close else ''
    raise ModelRefError(f'The {role} config file {ref!r} does not exist.'
                        f'{hint}')


def load_model_cfg(ref: Union[str, dict], role: str) -> Tuple[dict, str]:
    """Return ``(model_cfg, scope)`` for a reference (see module doc).

    As mmengine's Runner does for the model it trains, a referenced config's
    top-level ``data_preprocessor`` becomes the model's default one.
    """
    scope = None
    if isinstance(ref, (dict, ConfigDict)):
        model_cfg = copy.deepcopy(ref.to_dict() if isinstance(
            ref, ConfigDict) else dict(ref))
    elif isinstance(ref, str):
        if '::' in ref:
            from mmengine.hub import get_config
            try:
                cfg = get_config(ref)
            except Exception as err:  # mmengine raises several kinds here
                raise ModelRefError(
                    f'Cannot load the {role} config {ref!r}: {err}') from err
        else:
            cfg = Config.fromfile(_resolve_path(ref, role))
        if 'model' not in cfg:
            raise ModelRefError(f'The {role} config {ref!r} defines no '
                                f'`model`.')
        model_cfg = cfg.model.to_dict()
        if cfg.get('data_preprocessor') is not None:
            model_cfg.setdefault('data_preprocessor',
                                 cfg.data_preprocessor.to_dict())
        scope = cfg.get('default_scope')
        if scope is None and '::' in ref:
            scope = ref.split('::')[0]  # 'mmpretrain::...' -> mmpretrain
    else:
        raise ModelRefError(
            f'The {role} must be a model dict or a config path, got '
            f'{type(ref).__name__}.')
    model_type = model_cfg.get('type')
    if isinstance(model_type, str) and '.' in model_type:
        prefix = model_type.split('.')[0]
        # a kdbench model (e.g. NetAugClassifier, an mmpretrain classifier)
        # builds its unscoped parts in the surrounding scope, not kdbench's
        if prefix != 'kdbench':
            scope = prefix
    return model_cfg, scope


def build_model(ref: Union[str, dict], role: str,
                default_scope: Optional[str] = None,
                default_preprocessor: Optional[dict] = None):
    """Build the model a reference points at, under its own scope.

    ``default_preprocessor`` is used when the model config has none (the
    outer config's top-level ``data_preprocessor``, which mmengine's Runner
    hands to the distiller); anything but a dict (``None``, a module the
    wrapper uses as is) is ignored.
    """
    model_cfg, scope = load_model_cfg(ref, role)
    if isinstance(default_preprocessor, dict):
        model_cfg.setdefault('data_preprocessor',
                             copy.deepcopy(dict(default_preprocessor)))
    scope = scope or default_scope
    if scope is None:
        current = DefaultScope.get_current_instance()
        scope = current.scope_name if current is not None else 'mmengine'
    with DefaultScope.overwrite_default_scope(scope):
        # a ConfigDict, as the Runner passes: mmdet reads e.g. train_cfg.rpn
        # by attribute
        return MODELS.build(ConfigDict(model_cfg))


def wrapper_preprocessor(data_preprocessor, model):
    """What a wrapper preprocesses with: the module it was given, else the
    (student) model's own preprocessor."""
    if isinstance(data_preprocessor, torch.nn.Module):
        return data_preprocessor
    return model.data_preprocessor


def normalisation_mismatch(own, other) -> Optional[str]:
    """How ``other``'s input normalisation (``mean``/``std`` of its data
    preprocessor) differs from ``own``'s, or None when it does not. A model
    that runs on another's preprocessed batch needs the same one."""
    for key in ('mean', 'std'):
        a, b = getattr(own, key, None), getattr(other, key, None)
        if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and (
                a.shape != b.shape or not torch.allclose(a, b)):
            return (f'input {key} {b.flatten().tolist()} but the batch is '
                    f'preprocessed with {a.flatten().tolist()}')
    return None
