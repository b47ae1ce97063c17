from .adapters import ConvAdapter, LinearAdapter, Resize
from .channels import infer_out_channels
from .factor_transfer import FactorTranslator, Paraphraser
from .mgd import MGDGenerator

__all__ = ['ConvAdapter', 'LinearAdapter', 'Resize', 'infer_out_channels',
           'FactorTranslator', 'Paraphraser', 'MGDGenerator']

# every module of this package is imported, so a connector in a new file
# here is registered without an edit to this file
import importlib as _importlib  # noqa: E402
import pkgutil as _pkgutil  # noqa: E402

for _module in _pkgutil.iter_modules(__path__):
    _mod = _importlib.import_module(f'{__name__}.{_module.name}')
    for _name in getattr(_mod, '__all__', ()):
        if _name not in __all__:
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
