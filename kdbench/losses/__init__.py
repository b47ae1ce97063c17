"""Distillation losses (registered in ``kdbench.registry.MODELS``)."""
from .activation_boundary import ActivationBoundaryLoss
from .attention_transfer import ATLoss
from .base import DistillLoss
from .bounded_regression import TeacherBoundedL2Loss
from .distribution_kl import DistributionKLLoss
from .factor_transfer import FactorTransferLoss
from .fsp import FSPLoss, fsp_matrix
from .hint import HintLoss
from .kd import KDLoss
from .nst import NSTLoss
from .pairwise_affinity import PairwiseAffinityLoss
from .pixelwise_kd import PixelwiseKDLoss
from .rkd import RKDLoss
from .weighted_soft_ce import WeightedSoftBCELoss, WeightedSoftCELoss

__all__ = ['DistillLoss', 'KDLoss', 'HintLoss', 'ATLoss', 'NSTLoss',
           'RKDLoss', 'DistributionKLLoss', 'WeightedSoftCELoss',
           'WeightedSoftBCELoss', 'TeacherBoundedL2Loss', 'PixelwiseKDLoss',
           'PairwiseAffinityLoss', 'ActivationBoundaryLoss',
           'FactorTransferLoss', 'FSPLoss', 'fsp_matrix']

from .online_kd import OnlineKDLoss  # noqa: E402

__all__ += ['OnlineKDLoss']

from .attention_diversity import AttentionDiversityLoss  # noqa: E402
from .normalized_l2 import NormalizedL2Loss  # noqa: E402

__all__ += ['AttentionDiversityLoss', 'NormalizedL2Loss']

from .weight_schedule import LossWeightSchedule, LossWeightWarmup  # noqa

__all__ += ['LossWeightSchedule', 'LossWeightWarmup']

from .dist import DISTLoss  # noqa: E402
from .dkd import DKDLoss  # noqa: E402
from .logit_standardization import standardize_logits  # noqa: E402

__all__ += ['DISTLoss', 'DKDLoss', 'standardize_logits']

from .cwd import CWDLoss  # noqa: E402
from .mgd import MGDLoss  # noqa: E402
from .pkd import PKDLoss, channel_standardize  # noqa: E402

__all__ += ['CWDLoss', 'MGDLoss', 'PKDLoss', 'channel_standardize']

# every module of this package is imported, so a loss in a new file here
# is registered without an edit to this file (docs/adding_a_distiller.md)
import importlib as _importlib  # noqa: E402
import pkgutil as _pkgutil  # noqa: E402

for _module in _pkgutil.iter_modules(__path__):
    _mod = _importlib.import_module(f'{__name__}.{_module.name}')
    # and what it exports is importable from kdbench.losses
    for _name in getattr(_mod, '__all__', ()):
        if _name not in __all__:
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
