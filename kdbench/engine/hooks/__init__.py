from .bn_recalibration_hook import BNRecalibrationHook, recalibrate_batchnorm
from .checkpoint_ledger_hook import CheckpointLedgerHook
from .finite_training_hook import FiniteTrainingHook, NonFiniteTrainingError
from .linear_head_fit_hook import LinearHeadFitHook, fit_linear_head
from .rng_state_hook import RNGStateHook, rng_states, set_rng_states
from .run_result_hook import RunResultHook, peak_memory_mb
from .student_export_hook import (StudentExportHook, deployable_model,
                                  deployable_state_dict)
from .training_stage_hook import TrainingStageHook

__all__ = ['BNRecalibrationHook', 'CheckpointLedgerHook',
           'FiniteTrainingHook', 'NonFiniteTrainingError',
           'recalibrate_batchnorm', 'RunResultHook',
           'RNGStateHook', 'rng_states', 'set_rng_states',
           'LinearHeadFitHook', 'fit_linear_head',
           'StudentExportHook', 'deployable_model', 'deployable_state_dict',
           'TrainingStageHook',
           'peak_memory_mb']

from .born_again_hook import BornAgainHook, generation_seed  # noqa: E402

__all__ += ['BornAgainHook', 'generation_seed']
