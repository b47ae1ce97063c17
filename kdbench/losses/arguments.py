"""The one rule set for the numeric arguments of every kdbench loss.

Each loss is checked when it is built (``DistillLoss.__init_subclass__``
wraps every subclass's ``__init__``): a temperature of 0 or a negative
weight would otherwise train on NaN or inverted losses without a word. The
rules go by argument name, so a new loss that calls its temperature
``tau`` is covered without code of its own.
"""
import math
from numbers import Integral, Real


class LossArgumentError(ValueError):
    """A loss was configured with a value it cannot work with."""


def _finite(x):
    return isinstance(x, Real) and not isinstance(x, bool) and \
        math.isfinite(x)


def _positive(x):
    return _finite(x) and x > 0


def _non_negative(x):
    return _finite(x) and x >= 0


def _count(x):
    return isinstance(x, Integral) and not isinstance(x, bool) and x >= 1


def _optional(rule):
    return lambda x: x is None or rule(x)


def _weights(x):
    return x is None or (isinstance(x, (list, tuple)) and
                         all(_non_negative(v) for v in x))


#: argument name -> (check, what a valid value is)
RULES = {
    'tau': (_positive, 'a finite number > 0 (a temperature)'),
    'loss_weight': (_non_negative, 'a finite number >= 0'),
    # the weights of a loss's terms (DKD's alpha / beta, DIST's beta /
    # gamma)
    'alpha': (_non_negative, 'a finite number >= 0'),
    'beta': (_non_negative, 'a finite number >= 0'),
    'gamma': (_non_negative, 'a finite number >= 0'),
    'num_negatives': (_count, 'an integer >= 1'),
    'feat_dim': (_count, 'an integer >= 1'),
    'max_mid_channels': (_count, 'an integer >= 1'),
    'distance_weight': (_non_negative, 'a finite number >= 0'),
    'angle_weight': (_non_negative, 'a finite number >= 0'),
    'background_weight': (_non_negative, 'a finite number >= 0'),
    'margin': (_non_negative, 'a finite number >= 0'),
    'eps': (_positive, 'a finite number > 0'),
    'p': (_positive, 'a finite number > 0'),
    'factor': (_positive, 'a finite number > 0'),
    'coef': (_finite, 'a finite number'),
    'degree': (_count, 'an integer >= 1'),
    'node_size': (_optional(_count), 'None or an integer >= 1'),
    'pool_scale': (_optional(_positive), 'None or a number > 0'),
    'class_weight': (_weights, 'None or a list of non-negative finite '
                                'numbers'),
}


def check_loss_arguments(loss: str, arguments: dict) -> None:
    """Raise ``LossArgumentError`` naming the loss, the argument, the value
    and what is allowed, for the first argument that breaks its rule."""
    for name, value in arguments.items():
        rule = RULES.get(name)
        if rule is not None and not rule[0](value):
            raise LossArgumentError(
                f'{loss}: {name} must be {rule[1]}, got {value!r}.')
