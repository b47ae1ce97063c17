"""One optimizer per part of a model (e.g. a student and an adversarial
critic trained in the same train_step)."""
from typing import Optional

from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from torch import nn

from kdbench.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` with one optimizer wrapper per
    submodule: every key of the config other than ``constructor`` names an
    attribute of the model (``student``, ``critic``, ``connectors``) and
    holds an ordinary optim_wrapper config (``paramwise_cfg`` allowed),
    built by mmengine's ``DefaultOptimWrapperConstructor``.

    A trainable parameter that no entry covers is an error (it would
    silently never be updated).
    """

    def __init__(self, optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None):
        if paramwise_cfg is not None:
            raise ValueError('MultiOptimWrapperConstructor: give '
                             'paramwise_cfg inside each part\'s entry.')
        self.cfgs = {k: dict(v) for k, v in optim_wrapper_cfg.items()}

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        model = getattr(model, 'module', model)  # DDP-wrapped
        wrappers = {}
        covered = set()
        for name, cfg in self.cfgs.items():
            part = getattr(model, name, None)
            if not isinstance(part, nn.Module):
                raise ValueError(
                    f'MultiOptimWrapperConstructor: the model '
                    f'({type(model).__name__}) has no submodule {name!r}; '
                    f'its parts are {sorted(model._modules)}.')
            part = getattr(part, 'module', part)
            paramwise = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise)(part)
            covered.update(id(p) for p in part.parameters())
        missing = sorted({name.split('.')[0] for name, p in
                          model.named_parameters()
                          if p.requires_grad and id(p) not in covered})
        if missing:
            raise ValueError(
                f'MultiOptimWrapperConstructor: trainable parameters of '
                f'{missing} have no optimizer; add an entry for each.')
        return OptimWrapperDict(**wrappers)
