from .module_taps import (ModuleOutputRecorder, TapError, closest_module_paths,
                          find_module, parse_tap)

__all__ = ['ModuleOutputRecorder', 'TapError', 'closest_module_paths',
           'find_module', 'parse_tap']
