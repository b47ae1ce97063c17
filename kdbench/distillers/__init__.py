from .model_refs import ModelRefError, build_model, load_model_cfg
from .single_teacher import (DistillerConfigError, ShapeMismatchError,
                             SingleTeacherDistiller)
from .stage_wise import StageWiseDistiller

__all__ = ['ModelRefError', 'build_model', 'load_model_cfg',
           'DistillerConfigError', 'ShapeMismatchError',
           'SingleTeacherDistiller', 'StageWiseDistiller']

from .online import (DMLScheme, OnlineDistributedDataParallel,  # noqa: E402
                     OnlineDistiller, OnlineScheme)

__all__ += ['DMLScheme', 'OnlineDistiller', 'OnlineScheme',
            'OnlineDistributedDataParallel']

from .self_distiller import SelfDistillView, SelfDistiller  # noqa: E402

__all__ += ['SelfDistillView', 'SelfDistiller']

from .born_again import BornAgainDistiller  # noqa: E402

__all__ += ['BornAgainDistiller']

from .multi_teacher import MultiTeacherDistiller, TeacherEnsemble  # noqa: E402,E501

__all__ += ['MultiTeacherDistiller', 'TeacherEnsemble']
