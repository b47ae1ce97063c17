"""Taps: capture module outputs by path with forward hooks.

A tap is a module path in a model, optionally followed by an index into a
tuple or list output: ``'backbone.layer3'``, ``'head.fc'``, ``'neck[0]'``.
Paths are validated when the recorder is created; a wrong one fails at once
with the closest valid names. Outputs are stored by reference (no copy) and
only while recording is switched on, so validation and testing pay nothing.
"""
import difflib
import re
from contextlib import contextmanager
from typing import Dict, Iterable, List, Tuple

import torch
from torch import nn

_TAP_RE = re.compile(r'^(?P<path>[A-Za-z_][\w.]*)(?:\[(?P<index>-?\d+)\])?$')


class TapError(ValueError):
    """A tap is malformed, points nowhere or its output cannot be used."""


def parse_tap(spec: str) -> Tuple[str, int]:
    """Split ``'neck[1]'`` into ``('neck', 1)``; no index gives ``None``."""
    match = _TAP_RE.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise TapError(
            f'Tap {spec!r} is not a module path. Write a dotted path as '
            f'printed by model.named_modules(), e.g. "backbone.layer3", '
            f'optionally with an output index, e.g. "neck[0]".')
    index = match.group('index')
    return match.group('path'), (int(index) if index is not None else None)


def closest_module_paths(model: nn.Module, path: str, n: int = 5) -> List[str]:
    """Valid module paths of ``model`` that look most like ``path``."""
    names = [name for name, _ in model.named_modules() if name]
    close = difflib.get_close_matches(path, names, n=n, cutoff=0.4)
    # also offer the children of the longest valid prefix of the path
    parts = path.split('.')
    for cut in range(len(parts) - 1, 0, -1):
        prefix = '.'.join(parts[:cut])
        children = [name for name in names if name.startswith(prefix + '.')
                    and name.count('.') == prefix.count('.') + 1]
        if children:
            close += [c for c in children if c not in close][:n]
            break
    return close[:2 * n] or names[:n]


def find_module(model: nn.Module, path: str, role: str) -> nn.Module:
    """Return the submodule at ``path`` or raise :class:`TapError`."""
    modules = dict(model.named_modules())
    if path in modules and path:
        return modules[path]
    hints = ', '.join(repr(p) for p in closest_module_paths(model, path))
    raise TapError(f'The {role} has no module {path!r}. Closest valid '
                   f'paths: {hints}.')


class ModuleOutputRecorder:
    """Records the outputs of tapped modules during recorded forwards.

    Args:
        model: the network to tap.
        taps: tap specs (see :func:`parse_tap`); duplicates share one hook.
        role: ``'student'`` or ``'teacher'``, used in messages.
        repeats: what a module that runs more than once in one recording
            gives: ``'error'`` (default; e.g. a head shared over FPN
            levels, whose last call alone would silently stand for all) or
            ``'last'`` (its last output, for models that run a module
            twice by design and document which call comes last, e.g.
            NetAug's classifier runs its base network last). A model
            states the latter with a ``tap_repeats = 'last'`` attribute.
    """

    _REPEATS = ('error', 'last')

    def __init__(self, model: nn.Module, taps: Iterable[str], role: str,
                 repeats: str = 'error'):
        if repeats not in self._REPEATS:
            raise ValueError(f'repeats must be one of {self._REPEATS}, got '
                             f'{repeats!r}')
        self.role = role
        self.repeats = repeats
        self._recording = False
        self._outputs: Dict[str, Tuple[object, object]] = {}
        self._calls: Dict[str, int] = {}
        self._handles = []
        self.modules: Dict[str, nn.Module] = {}
        for spec in taps:
            path, _ = parse_tap(spec)
            if path not in self.modules:
                self.modules[path] = find_module(model, path, role)
                self._handles.append(self.modules[path].register_forward_hook(
                    self._make_hook(path)))

    def _make_hook(self, path: str):
        def hook(module, inputs, output):
            if self._recording:
                self._outputs[path] = (output, _versions(output))
                self._calls[path] = self._calls.get(path, 0) + 1
        return hook

    @contextmanager
    def recording(self):
        """Record outputs of the forwards run inside the block; the stored
        references are dropped when the block ends."""
        self._outputs.clear()
        self._calls.clear()
        self._recording = True
        try:
            yield self
        finally:
            self._recording = False
            self._outputs.clear()
            self._calls.clear()

    def get(self, spec: str) -> torch.Tensor:
        """The tensor recorded for ``spec`` in the current recording."""
        path, index = parse_tap(spec)
        if path not in self._outputs:
            raise TapError(
                f'The {self.role} module {path!r} did not run in the forward '
                f'pass (its forward hook never fired). Tap a module that the '
                f'{self.role} executes in this mode.')
        calls = self._calls.get(path, 1)
        if calls > 1 and self.repeats == 'error':
            raise TapError(
                f'The {self.role} module {path!r} ran {calls} times in one '
                f'forward pass (a module shared across levels or branches), '
                f'so one recorded output cannot stand for it. Tap a module '
                f'that runs once per forward (e.g. one level\'s own layer '
                f'or the module that calls the shared one).')
        output, versions = self._outputs[path]
        if _versions(output) != versions:
            raise TapError(
                f'The output of {self.role} module {path!r} was modified in '
                f'place later in the forward pass (an inplace ReLU or residual '
                f'add), so the recorded values are not that module\'s output. '
                f'Tap the module that produces the final value instead (e.g. '
                f'the whole block).')
        if isinstance(output, (tuple, list)):
            if index is None:
                if len(output) != 1:
                    raise TapError(
                        f'The {self.role} module {path!r} returns '
                        f'{len(output)} outputs; pick one with an index, e.g. '
                        f'"{path}[0]".')
                index = 0
            if not -len(output) <= index < len(output):
                raise TapError(
                    f'Tap {spec!r}: the {self.role} module {path!r} returns '
                    f'{len(output)} outputs, index {index} is out of range.')
            output = output[index]
        elif index is not None:
            raise TapError(
                f'Tap {spec!r}: the {self.role} module {path!r} returns a '
                f'single tensor, drop the index.')
        if not isinstance(output, torch.Tensor):
            raise TapError(
                f'Tap {spec!r} of the {self.role} gives a '
                f'{type(output).__name__}, not a tensor.')
        return output

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


def _versions(output):
    if isinstance(output, torch.Tensor):
        return output._version
    if isinstance(output, (tuple, list)):
        return tuple(o._version if isinstance(o, torch.Tensor) else None
                     for o in output)
    return None
