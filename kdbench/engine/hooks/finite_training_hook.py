"""Stop (or skip) a training step whose loss or gradient is not finite.

Without it a diverged run trains on ``loss: nan`` to its end, exits 0 and
writes NaN weights whose evaluation looks like a score (every pixel one
class, no box at all). The hook checks, at every optimizer step, that the
gradients about to be applied are finite; when they are not it names the
iteration and the loss terms that are not finite, and either stops the run
(``action='stop'``, the default) or drops that step (``action='skip'``, at
most ``max_skips`` times in a run).
"""
import math
import types
from typing import Dict, Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from kdbench.registry import HOOKS


class NonFiniteTrainingError(FloatingPointError):
    """A loss or gradient became NaN or infinite during training."""


def _non_finite_terms(log_vars: Optional[Dict]) -> Dict[str, float]:
    terms = {}
    for name, value in (log_vars or {}).items():
        number = float(value.detach() if torch.is_tensor(value) else value)
        if not math.isfinite(number):
            terms[name] = number
    return terms


def _grads_finite(optimizer: torch.optim.Optimizer) -> bool:
    grads = [p.grad for group in optimizer.param_groups
             for p in group['params'] if p.grad is not None]
    if not grads:
        return True
    norms = torch._foreach_norm(grads)
    return bool(torch.isfinite(torch.stack(norms)).all())


@HOOKS.register_module()
class FiniteTrainingHook(Hook):
    """Guard every optimizer step against NaN / inf gradients.

    Args:
        action: ``'stop'`` raises :class:`NonFiniteTrainingError`;
            ``'skip'`` zeroes the gradients and leaves the weights as they
            were for that step.
        max_skips: with ``'skip'``, the run still stops after this many
            skipped steps (a run that keeps diverging is not a result).
    """

    priority = 'VERY_HIGH'

    def __init__(self, action: str = 'stop', max_skips: int = 10):
        if action not in ('stop', 'skip'):
            raise ValueError(f"FiniteTrainingHook: action must be 'stop' or "
                             f"'skip', got {action!r}")
        self.action = action
        self.max_skips = int(max_skips)
        self.skipped = 0
        self._log_vars = None

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        parse_losses = model.parse_losses

        def parse_and_keep(losses):
            parsed, log_vars = parse_losses(losses)
            self._log_vars = log_vars
            return parsed, log_vars

        model.parse_losses = parse_and_keep
        wrappers = runner.optim_wrapper
        wrappers = wrappers.values() if isinstance(
            wrappers, OptimWrapperDict) else [wrappers]
        for wrapper in wrappers:
            self._guard(wrapper, runner)

    def _guard(self, wrapper, runner) -> None:
        step = wrapper.step
        hook = self

        def guarded_step(optim_wrapper, *args, **kwargs):
            if _grads_finite(optim_wrapper.optimizer):
                return step(*args, **kwargs)
            message = hook._describe(runner)
            if hook.action == 'stop' or hook.skipped >= hook.max_skips:
                raise NonFiniteTrainingError(message)
            hook.skipped += 1
            runner.logger.warning(f'{message} Step skipped ({hook.skipped} '
                                  f'of at most {hook.max_skips}).')
            optim_wrapper.optimizer.zero_grad()

        # a bound method, as mmengine's parameter schedulers expect of the
        # step they wrap with their counter (schedulers built later, e.g.
        # per born-again generation, wrap this one); the counter of those
        # built before lives on in ``step``, which says so
        guarded_step._with_counter = getattr(step, '_with_counter', False)
        wrapper.step = types.MethodType(guarded_step, wrapper)

    def _describe(self, runner) -> str:
        terms = _non_finite_terms(self._log_vars)
        where = ', '.join(f'{k} = {v}' for k, v in terms.items()) or \
            'all loss terms finite'
        return (f'Training diverged at iteration {runner.iter + 1}: '
                f'non-finite gradients ({where}). Lower the learning rate or '
                f'the loss weights, or add gradient clipping '
                f'(optim_wrapper.clip_grad); FiniteTrainingHook(action='
                f"'skip') drops such steps instead.")

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """A non-finite loss that produced no gradient (e.g. a term of
        frozen parts only) is caught here."""
        terms = _non_finite_terms(outputs)
        if terms and self.action == 'stop':
            raise NonFiniteTrainingError(self._describe(runner))
