"""Record what a finished run measured, for the benchmark runner."""
import json
import os
import os.path as osp
import resource
import time

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook

from kdbench.registry import HOOKS


def peak_memory_mb() -> float:
    """Peak memory of this process: CUDA allocator peak on GPU, else the
    peak resident set size (Linux reports ru_maxrss in KiB)."""
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@HOOKS.register_module()
class RunResultHook(Hook):
    """Write ``<work_dir>/<filename>`` after training: the last validation
    metrics, iterations, training wall time without validation (extrapolated
    from seconds per iteration for a resumed run), seconds per iteration,
    peak memory, and the iterations each rank trained (gathered from all
    processes, so a distributed run shows that every rank worked).

    For detection it also counts the predicted instances of the last
    validation: ``no_predictions`` is true when the model predicted no box
    on any image (mmdet's CocoMetric then returns no metric at all; the
    benchmark runner records that as AP 0 instead of crashing).
    """

    priority = 'VERY_LOW'

    def __init__(self, filename: str = 'result.json'):
        self.filename = filename
        self.metrics = {}
        self._train_start = None
        self._val_seconds = 0.0
        self._val_start = None
        self._start_iter = 0
        self._iters_run = 0
        self._predicted = None  # instances predicted in the last validation

    def before_train(self, runner) -> None:
        self._train_start = time.perf_counter()
        self._start_iter = runner.iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._iters_run += 1

    def before_val_epoch(self, runner) -> None:
        self._val_start = time.perf_counter()
        self._predicted = None

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        for sample in outputs or ():
            instances = getattr(sample, 'pred_instances', None)
            if instances is not None:
                self._predicted = (self._predicted or 0) + len(instances)

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._val_start is not None:
            self._val_seconds += time.perf_counter() - self._val_start
            self._val_start = None
        if metrics:
            self.metrics = {k: _plain(v) for k, v in metrics.items()}

    def after_train(self, runner) -> None:
        if not self.metrics and getattr(runner, '_val_loop', None) is not None:
            # a run resumed from a checkpoint saved after its last epoch (it
            # was killed during the final validation) trains nothing more and
            # would skip that validation: evaluate now, on every rank
            runner.logger.info('No validation result yet; evaluating the '
                               'final model.')
            runner.val_loop.run()
        ranks = all_gather_object(dict(rank=get_rank(),
                                       iters_run=self._iters_run,
                                       predicted=self._predicted))
        if get_rank() != 0:
            return
        measured_s = (time.perf_counter() - self._train_start
                      - self._val_seconds)
        iters_here = max(runner.iter - self._start_iter, 1)
        s_per_iter = measured_s / iters_here
        # a resumed run measured only its last part: its training time is
        # extrapolated from the measured seconds per iteration
        resumed = self._start_iter > 0
        train_s = s_per_iter * runner.iter if resumed else measured_s
        result = dict(metrics=self.metrics, iters=int(runner.iter),
                      epochs=int(runner.epoch), train_s=round(train_s, 3),
                      s_per_iter=round(s_per_iter, 5),
                      measured_s=round(measured_s, 3), resumed=resumed,
                      peak_mem_mb=round(peak_memory_mb(), 1),
                      seed=int(runner.seed), world_size=get_world_size(),
                      ranks=ranks)
        counts = [r['predicted'] for r in ranks if r['predicted'] is not None]
        if counts:
            result['no_predictions'] = sum(counts) == 0
        path = osp.join(runner.work_dir, self.filename)
        with open(path + '.tmp', 'w') as f:
            json.dump(result, f, indent=1)
        os.replace(path + '.tmp', path)


def _plain(value):
    if hasattr(value, 'item'):
        return value.item()
    return value
