"""The model a hook works on, with a clear error for the wrong one."""
from mmengine.model import is_model_wrapper

from kdbench.distillers.single_teacher import DistillerConfigError


def hooked_model(runner, attribute: str, hook: str, expected: str):
    """``runner.model`` without its DDP wrapper, which must have
    ``attribute``; otherwise a :class:`DistillerConfigError` saying that
    ``hook`` needs an ``expected`` model (a config pairing a hook with the
    wrong model type)."""
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    if not hasattr(model, attribute):
        raise DistillerConfigError(
            f'{hook} needs a {expected} model, got {type(model).__name__}; '
            f'use that model type or remove the hook from custom_hooks.')
    return model
