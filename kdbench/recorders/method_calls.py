"""Record what a method of one object returns while a block runs.

Detection distillers need intermediate results that mmdet computes inside a
head's loss (the assigner's targets, the sampled RoIs) and does not return.
Recomputing them would cost a second assignment; wrapping the instance's
method for the duration of one call hands them over instead, with mmdet's
own code unchanged.
"""
from contextlib import contextmanager
from typing import Any, Iterator, List


class MethodCallRecord:
    """Calls seen by :func:`record_calls`: ``args``, ``kwargs``, ``result``
    of each call, in order."""

    def __init__(self, owner: Any, name: str):
        self.owner, self.name = owner, name
        self.calls: List[tuple] = []

    def last(self) -> tuple:
        """(args, kwargs, result) of the latest call; an error naming the
        method if it was not called (e.g. a head that computes its targets
        another way)."""
        if not self.calls:
            raise RuntimeError(
                f'{type(self.owner).__name__}.{self.name} was not called '
                f'during the loss computation; this distiller needs a head '
                f'that computes its training targets through it.')
        return self.calls[-1]

    @property
    def result(self) -> Any:
        return self.last()[2]


@contextmanager
def record_calls(owner: Any, name: str) -> Iterator[MethodCallRecord]:
    """Within the block, calls of ``owner.<name>`` run unchanged and are
    recorded. Only this instance is affected (an instance attribute shadows
    the class method) and the attribute is removed afterwards, even on
    error."""
    original = getattr(owner, name)
    record = MethodCallRecord(owner, name)
    shadowed = name in vars(owner)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        record.calls.append((args, kwargs, result))
        return result

    setattr(owner, name, wrapper)
    try:
        yield record
    finally:
        if shadowed:
            setattr(owner, name, original)
        else:
            delattr(owner, name)
