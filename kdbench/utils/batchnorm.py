"""BatchNorm helpers shared by the wrappers whose extra forward passes
must not move the deployed network's running statistics."""
from contextlib import contextmanager

from torch import nn


@contextmanager
def running_stats_frozen(module: nn.Module):
    """Inside, BatchNorms of ``module`` in train mode still normalise with
    batch statistics but leave their running statistics as they are
    (momentum 0; restored afterwards)."""
    norms = [m for m in module.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)
             and m.track_running_stats]
    momenta = [bn.momentum for bn in norms]
    for bn in norms:
        bn.momentum = 0.0
    try:
        yield
    finally:
        for bn, momentum in zip(norms, momenta):
            bn.momentum = momentum
