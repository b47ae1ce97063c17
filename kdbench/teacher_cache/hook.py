"""Check a cached-teacher run against its cache before training."""
import hashlib
import json

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from kdbench.registry import HOOKS
from .replay import inner_dataset_cfg
from .store import TeacherCacheError


def dataset_sha256(dataset_cfg) -> str:
    """sha256 of a dataset config (the data of a ``ViewReplayDataset``,
    ``replay.inner_dataset_cfg``: type, split, subset and pipeline)."""
    if hasattr(dataset_cfg, 'to_dict'):
        dataset_cfg = dataset_cfg.to_dict()
    text = json.dumps(dataset_cfg, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def replay_problems(train_dataloader) -> list:
    """Why a train dataloader config cannot replay cached views."""
    problems = []
    dataset = train_dataloader.get('dataset', {})
    if str(dataset.get('type', '')).split('.')[-1] != 'ViewReplayDataset':
        problems.append('train_dataloader.dataset must be a '
                        'kdbench.ViewReplayDataset')
    sampler = train_dataloader.get('sampler', {})
    if str(sampler.get('type', '')).split('.')[-1] != 'EpochIndexSampler':
        problems.append('train_dataloader.sampler must be a '
                        'kdbench.EpochIndexSampler')
    return problems


@HOOKS.register_module()
class TeacherCacheHook(Hook):
    """Before training, refuse a ``CachedTeacherDistiller`` run whose data,
    view seed or length the cache was not built for, with the command that
    rebuilds it."""

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        from .distiller import CachedTeacherDistiller
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        if not isinstance(model, CachedTeacherDistiller):
            return
        loader = runner.cfg.train_dataloader
        problems = replay_problems(loader)
        if not problems:
            problems = model.cache.problems(
                dataset_sha256=dataset_sha256(
                    inner_dataset_cfg(loader.dataset)),
                seed=int(loader.dataset.get('seed', 0)),
                epochs=runner.max_epochs)
        if problems:
            raise TeacherCacheError(
                f'The teacher-output cache {model.cache_path} cannot serve '
                f'this run: {"; ".join(problems)}. Rebuild it: '
                f'{model.cache.header["build_command"]}')


__all__ = ['TeacherCacheHook', 'dataset_sha256', 'replay_problems']
