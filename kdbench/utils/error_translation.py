"""Turn the stack's own errors for bad input into one actionable line.

mmengine, mmcv and torch report a misspelled type, a misspelled argument,
an undecodable image or a label beyond the classifier with an exception
whose message does not say what to change. ``translate`` recognises those
(by type and message) and returns the message a user can act on, or None
for anything else, which stays a traceback (a bug, not bad input).
"""
import difflib
import inspect
import re
from typing import Iterator, List, Optional

_NOT_REGISTERED = re.compile(
    r"(?P<name>\S+) is not in the (?P<scope>[\w.]+)::(?P<registry>[\w ]+) "
    r"registry")
_BAD_KEYWORD = re.compile(
    r"(?P<cls>\w+)\.__init__\(\) got an unexpected keyword argument "
    r"'(?P<arg>\w+)'")
_BAD_IMAGE = re.compile(r'failed to load image: (?P<path>\S+)')
_BAD_TARGET = re.compile(r'Target (?P<label>-?\d+) is out of bounds')


def _registries(name: str) -> Iterator:
    """Every registry called ``name`` (e.g. 'model'), of every scope."""
    import mmengine.registry.root as root
    seen, stack = set(), [v for v in vars(root).values()
                          if type(v).__name__ == 'Registry']
    while stack:
        registry = stack.pop()
        if id(registry) in seen:
            continue
        seen.add(id(registry))
        stack.extend(registry._children.values())
        if registry.name == name:
            yield registry


def registered_names(registry: str) -> dict:
    """``{'scope.Name': class}`` over the scopes' ``registry`` registries."""
    names = {}
    for reg in _registries(registry):
        for key, obj in reg.module_dict.items():
            names[f'{reg.scope}.{key}'] = obj
    return names


def closest_types(wanted: str, registry: str = 'model') -> str:
    """'; closest: scope.Name, ...' for a type name not in ``registry``
    (over every scope), or '' when nothing is close."""
    short = str(wanted).split('.')[-1].split('::')[-1]
    by_short = {}
    for full in registered_names(registry):
        by_short.setdefault(full.split('.')[-1], []).append(full)
    close = difflib.get_close_matches(short, list(by_short), n=3, cutoff=0.6)
    return ('; closest: ' + ', '.join(sorted(by_short[c])[0] for c in close)
            if close else '')


def scanned_packages(registry: str) -> List[str]:
    """The packages kdbench's ``registry`` registry imports before a
    lookup (its ``locations``)."""
    return sorted({loc for reg in _registries(registry)
                   if reg.scope == 'kdbench' for loc in reg._locations})


def _unknown_type(match) -> str:
    wanted = match['name'].strip("'\"`")
    registry = match['registry'].strip()
    scanned = scanned_packages(registry)
    where = (f' kdbench finds {registry} types registered in '
             f'{", ".join(scanned)}; a class elsewhere needs '
             f'custom_imports=dict(imports=[\'<its module>\']) in the '
             f'config.' if scanned else '')
    return (f'Unknown {registry} type {wanted!r} in the config or '
            f'--cfg-options{closest_types(wanted, registry)}.{where}')


def _bad_keyword(match) -> str:
    cls_name, arg = match['cls'], match['arg']
    params = None
    for obj in registered_names('model').values():
        if getattr(obj, '__name__', None) == cls_name:
            params = [p for p in inspect.signature(obj.__init__).parameters
                      if p not in ('self', 'args', 'kwargs')]
            break
    hint = ''
    if params:
        close = difflib.get_close_matches(arg, params, n=1)
        hint = (f' (did you mean {close[0]!r}?)' if close else '') + \
            f'; its arguments are {params}'
    return (f'{cls_name} has no argument {arg!r}{hint}: check that key in '
            f'the config or --cfg-options.')


def _empty_dataset(err: BaseException) -> Optional[str]:
    """mmengine's BaseDataset serialises its samples with np.concatenate,
    which fails on an empty list: name the dataset's annotation file."""
    from mmengine.dataset import BaseDataset
    tb = err.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get('self')
        if isinstance(owner, BaseDataset):
            where = getattr(owner, 'ann_file', '') or \
                getattr(owner, 'data_root', '') or type(owner).__name__
            return (f'The dataset {type(owner).__name__} ({where}) has no '
                    f'samples after loading and filtering: the annotation '
                    f'file holds no images with annotations (mmdet drops '
                    f'images without boxes when filter_cfg.filter_empty_gt '
                    f'is on), or data_prefix / indices select nothing.')
        tb = tb.tb_next
    return None


def _raised_in_registry_build(err: BaseException) -> bool:
    """Whether ``err`` passed through mmengine's ``build_from_cfg`` (the
    constructor call of a config's ``type``) on its way up."""
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == 'build_from_cfg' and \
                'mmengine' in code.co_filename:
            return True
        tb = tb.tb_next
    return False


def translate(err: BaseException) -> Optional[str]:
    """The one-line message for a recognised bad-input error, else None."""
    text = str(err)
    if isinstance(err, ValueError) and \
            'need at least one array to concatenate' in text:
        message = _empty_dataset(err)
        if message:
            return message
    if isinstance(err, KeyError):
        match = _NOT_REGISTERED.search(text)
        if match:
            return _unknown_type(match)
    if isinstance(err, TypeError) and _raised_in_registry_build(err):
        # a config key the class it builds does not take
        match = _BAD_KEYWORD.search(text)
        if match:
            return _bad_keyword(match)
    if isinstance(err, (AssertionError, OSError, ValueError)):
        match = _BAD_IMAGE.search(text)
        if match:
            return (f'{match["path"]} is not a readable image (corrupt or '
                    f'not an image file): replace it or remove it from the '
                    f'dataset.')
    if isinstance(err, IndexError):
        match = _BAD_TARGET.search(text)
        if match:
            return (f'A label ({match["label"]}) is outside the classes the '
                    f'model predicts: its head has fewer classes than the '
                    f'dataset has labels. Set the head\'s num_classes to the '
                    f'dataset\'s class count.')
    return None
