"""kdbench: a knowledge-distillation benchmark suite on OpenMMLab 2.x."""
__version__ = '0.1.0'

from . import compat  # noqa: E402

compat.apply_patches()

from . import registry  # noqa: E402,F401
from . import connectors, distillers, engine, losses  # noqa: E402,F401
