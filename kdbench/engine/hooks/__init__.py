from .bn_recalibration_hook import BNRecalibrationHook, recalibrate_batchnorm
from .run_result_hook import RunResultHook, peak_memory_mb
from .student_export_hook import StudentExportHook, deployable_model

__all__ = ['BNRecalibrationHook', 'recalibrate_batchnorm', 'RunResultHook',
           'StudentExportHook', 'deployable_model', 'peak_memory_mb']
