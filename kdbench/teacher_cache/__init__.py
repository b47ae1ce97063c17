"""Teacher-output cache: run the teacher once over replayable training
views, store its top-k logits, and distil from them without a teacher
forward (docs/classification.md, "Cached teacher")."""
from .distiller import CachedTeacherDistiller
from .hook import TeacherCacheHook, dataset_sha256, replay_problems
from .replay import (EpochIndexSampler, ViewReplayDataset, inner_dataset_cfg,
                     view_checksum, view_seed)
from .store import (TeacherCacheError, TeacherOutputCache,
                    reconstruct_logits)

__all__ = ['CachedTeacherDistiller', 'TeacherCacheHook', 'dataset_sha256',
           'replay_problems', 'EpochIndexSampler', 'ViewReplayDataset',
           'inner_dataset_cfg',
           'view_checksum', 'view_seed', 'TeacherCacheError',
           'TeacherOutputCache', 'reconstruct_logits']
