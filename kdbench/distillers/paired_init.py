"""Pair a distiller's student with the plain student of the same seed.

A suite pairs its runs by seed (Δ per seed, paired t interval): the
student a distiller trains must then start from the weights the plain
student's run starts from, which mmengine draws in ``init_weights()``
from torch's global generator. A distiller builds more modules (teacher,
peers, connectors, branches) before the Runner calls ``init_weights()``,
so the student's draws would start from another state. The distillers
therefore keep the generator's state right after building the student
(``rng_after_build``), which is where a plain model's run stands too, and
initialise the student from it first (``init_like_plain``), leaving the
global generator as it was.
"""
import torch
from torch import nn


def rng_after_build() -> torch.Tensor:
    """torch's CPU generator state, taken right after building the
    student (the state a plain run of the student initialises from)."""
    return torch.get_rng_state()


def init_like_plain(network: nn.Module, state: torch.Tensor) -> None:
    """``network.init_weights()`` drawing from ``state`` as a plain run of
    the same seed would; the global generator is left untouched. A network
    already initialised (e.g. loaded) is left as it is."""
    if state is None or getattr(network, 'is_init', True) or \
            not hasattr(network, 'init_weights'):
        return
    with torch.random.fork_rng(devices=[]):
        torch.set_rng_state(state)
        network.init_weights()
