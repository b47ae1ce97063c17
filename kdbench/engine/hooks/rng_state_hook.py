"""Make ``--resume`` continue the random streams of the interrupted run."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook

from kdbench.registry import HOOKS


def rng_states() -> dict:
    """The states of Python's, numpy's and torch's (CPU and CUDA) global
    generators: everything augmentation, stochastic depth, NetAug's width
    sampling and dropout draw from."""
    states = dict(python=random.getstate(), numpy=np.random.get_state(),
                  torch=torch.get_rng_state())
    if torch.cuda.is_available():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def set_rng_states(states: dict) -> None:
    random.setstate(states['python'])
    np.random.set_state(states['numpy'])
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the global random states in every checkpoint and restore them
    on resume, so that a run killed after a checkpoint and resumed draws
    the same augmentations and samples as the uninterrupted run (mmengine
    restores model, optimizer, schedulers and the sampler's epoch, not the
    global generators).

    Two details make the streams line up exactly:

    * validation does not draw from the training streams (the states are
      put back after each validation): in the uninterrupted run the
      validation after a checkpoint would otherwise advance them (a
      DataLoader iterator draws its base seed from torch's generator)
      where the resumed run, which starts after it, does not;
    * the saved states are restored in ``before_train`` (lowest priority),
      after everything the resumed run did before training (building and
      initialising the model draws from torch's generator), at the point
      that corresponds to the checkpoint in the uninterrupted run.
    """

    priority = 'LOWEST'

    def __init__(self):
        self._resume_states = None
        self._val_states = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_states'] = rng_states()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._resume_states = checkpoint.get('rng_states')

    def before_train(self, runner) -> None:
        if self._resume_states is not None:
            set_rng_states(self._resume_states)
            self._resume_states = None

    def before_val(self, runner) -> None:
        self._val_states = rng_states()

    def after_val(self, runner) -> None:
        if self._val_states is not None:
            set_rng_states(self._val_states)
            self._val_states = None
