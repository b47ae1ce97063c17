"""Hooks that need a particular model type name it when configured with
another one (kdbench.engine.hooks.hooked_model)."""
from types import SimpleNamespace

import pytest
import torch.nn as nn

import kdbench  # noqa: F401
from kdbench.distillers import DistillerConfigError
from kdbench.engine.hooks import BornAgainHook, TrainingStageHook


@pytest.mark.parametrize('hook, accessor, attribute, expected', [
    (TrainingStageHook(), '_model', 'stages', 'kdbench.StageWiseDistiller'),
    (BornAgainHook(epochs_per_generation=1), '_distiller', 'begin_generation',
     'kdbench.BornAgainDistiller'),
])
def test_hooks_name_the_model_they_need(hook, accessor, attribute,
                                        expected):
    runner = SimpleNamespace(model=nn.Linear(2, 2))
    with pytest.raises(DistillerConfigError,
                       match=rf'{type(hook).__name__} needs a .*'
                       rf'{expected}.* model, got Linear; .*custom_hooks'):
        getattr(hook, accessor)(runner)
    model = nn.Linear(2, 2)
    setattr(model, attribute, None)
    assert getattr(hook, accessor)(SimpleNamespace(model=model)) is model
