from .bn_recalibration_hook import BNRecalibrationHook, recalibrate_batchnorm
from .run_result_hook import RunResultHook, peak_memory_mb
from .student_export_hook import StudentExportHook, deployable_model
from .training_stage_hook import TrainingStageHook

__all__ = ['BNRecalibrationHook', 'recalibrate_batchnorm', 'RunResultHook',
           'StudentExportHook', 'deployable_model', 'TrainingStageHook',
           'peak_memory_mb']
