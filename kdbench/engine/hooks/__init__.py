from .run_result_hook import RunResultHook, peak_memory_mb
from .student_export_hook import StudentExportHook, deployable_model

__all__ = ['RunResultHook', 'StudentExportHook', 'deployable_model',
           'peak_memory_mb']
