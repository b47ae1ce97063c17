from .model_refs import ModelRefError, build_model, load_model_cfg
from .single_teacher import (DistillerConfigError, ShapeMismatchError,
                             SingleTeacherDistiller)
from .stage_wise import StageWiseDistiller

__all__ = ['ModelRefError', 'build_model', 'load_model_cfg',
           'DistillerConfigError', 'ShapeMismatchError',
           'SingleTeacherDistiller', 'StageWiseDistiller']
