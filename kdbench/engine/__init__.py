from .hooks import *  # noqa: F401,F403
from .initializers import PretrainedBackbone  # noqa: F401
from .optimizers import *  # noqa: F401,F403
