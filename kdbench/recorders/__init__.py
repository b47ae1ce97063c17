from .method_calls import MethodCallRecord, record_calls
from .module_taps import (ModuleOutputRecorder, TapError, closest_module_paths,
                          find_module, parse_tap)

__all__ = ['ModuleOutputRecorder', 'TapError', 'closest_module_paths',
           'find_module', 'parse_tap', 'MethodCallRecord', 'record_calls']
