"""Record what a finished run measured, for the benchmark runner."""
import json
import os
import os.path as osp
import platform
import resource
import time
from typing import Optional

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook

from kdbench.registry import HOOKS

THREAD_ENV_VARS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def peak_memory_mb() -> float:
    """Peak memory of this process: CUDA allocator peak on GPU, else the
    peak resident set size (Linux reports ru_maxrss in KiB)."""
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else the platform's."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def execution_facts() -> dict:
    """What a run's numbers depend on besides its config and seed: thread
    counts (they change the summation order, hence results), the CPU and
    its vector unit, and whether torch ran deterministic algorithms."""
    return dict(
        torch_threads=torch.get_num_threads(),
        torch_interop_threads=torch.get_num_interop_threads(),
        env={k: os.environ.get(k) for k in THREAD_ENV_VARS},
        deterministic=torch.are_deterministic_algorithms_enabled(),
        cpu=cpu_model(), cpu_count=os.cpu_count(),
        cpu_capability=torch.backends.cpu.get_cpu_capability(),
        cuda=torch.cuda.get_device_name(0) if torch.cuda.is_available()
        else None)


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot
    (``/proc/stat``: user, nice, system, irq, softirq, steal); nan where
    there is no such file."""
    try:
        with open('/proc/stat') as f:
            fields = f.readline().split()[1:]
    except OSError:
        return float('nan')
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / \
        os.sysconf('SC_CLK_TCK')


@HOOKS.register_module()
class RunResultHook(Hook):
    """Write ``<work_dir>/<filename>`` after training.

    It holds the last validation metrics, every validation's metrics with
    its iteration (``val_history``, the learning curves of the leaderboard
    plots), and, when the config sets ``test_after_train = True`` (suites
    whose validation split is not their test split), the metrics of one
    test-loop run on the final model (``test_metrics``).

    Cost: training wall time and the process's CPU time without validation
    (extrapolated for a resumed run), seconds per iteration, peak memory;
    the CPU seconds the rest of the machine used meanwhile
    (``other_cpu_cores``: a run that shared the machine shows it), thread
    counts and CPU (``execution``), and the iterations each rank trained.

    For detection it also counts the predicted instances of the last
    validation: ``no_predictions`` is true when the model predicted no box
    on any image (mmdet's CocoMetric then returns no metric at all; the
    benchmark runner records that as AP 0 instead of crashing);
    ``test_no_predictions`` says the same of the test-split evaluation.
    """

    priority = 'VERY_LOW'

    def __init__(self, filename: str = 'result.json'):
        self.filename = filename
        self.metrics = {}
        self.val_history = []
        self._train_start = None
        self._cpu_start = None
        self._busy_start = None
        self._val_seconds = 0.0
        self._val_cpu = 0.0
        self._val_start = None
        self._start_iter = 0
        self._iters_run = 0
        self._predicted = None  # instances predicted in the last validation
        self._test_predicted = None  # ... in the test-split evaluation

    def before_train(self, runner) -> None:
        self._train_start = time.perf_counter()
        self._cpu_start = time.process_time()
        self._busy_start = machine_busy_seconds()
        self._start_iter = runner.iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._iters_run += 1

    def before_val_epoch(self, runner) -> None:
        self._val_start = (time.perf_counter(), time.process_time())
        self._predicted = None

    @staticmethod
    def _count_instances(outputs, count: Optional[int]) -> Optional[int]:
        for sample in outputs or ():
            instances = getattr(sample, 'pred_instances', None)
            if instances is not None:
                count = (count or 0) + len(instances)
        return count

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._predicted = self._count_instances(outputs, self._predicted)

    def before_test_epoch(self, runner) -> None:
        self._test_predicted = None

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._test_predicted = self._count_instances(outputs,
                                                     self._test_predicted)

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._val_start is not None:
            wall, cpu = self._val_start
            self._val_seconds += time.perf_counter() - wall
            self._val_cpu += time.process_time() - cpu
            self._val_start = None
        if metrics:
            self.metrics = {k: _plain(v) for k, v in metrics.items()}
            self.val_history.append(dict(
                iter=int(runner.iter), epoch=int(runner.epoch),
                metrics={k: v for k, v in self.metrics.items()
                         if isinstance(v, (int, float))}))

    def after_train(self, runner) -> None:
        if not self.metrics and getattr(runner, '_val_loop', None) is not None:
            # a run resumed from a checkpoint saved after its last epoch (it
            # was killed during the final validation) trains nothing more and
            # would skip that validation: evaluate now, on every rank
            runner.logger.info('No validation result yet; evaluating the '
                               'final model.')
            runner.val_loop.run()
        wall = time.perf_counter() - self._train_start
        cpu = time.process_time() - self._cpu_start
        busy = machine_busy_seconds() - self._busy_start
        measured_s = wall - self._val_seconds
        cpu_s = cpu - self._val_cpu
        test_metrics = None
        if runner.cfg.get('test_after_train', False):
            runner.logger.info('Evaluating the final model on the test '
                               'split (test_after_train).')
            test_metrics = {k: _plain(v) for k, v in
                            (runner.test_loop.run() or {}).items()}
        ranks = all_gather_object(dict(rank=get_rank(),
                                       iters_run=self._iters_run,
                                       predicted=self._predicted,
                                       test_predicted=self._test_predicted))
        if get_rank() != 0:
            return
        iters_here = max(runner.iter - self._start_iter, 1)
        s_per_iter = measured_s / iters_here
        # a resumed run measured only its last part: its training time is
        # extrapolated from the measured seconds per iteration
        resumed = self._start_iter > 0
        scale = runner.iter / iters_here if resumed else 1.0
        result = dict(metrics=self.metrics, val_history=self.val_history,
                      iters=int(runner.iter),
                      epochs=int(runner.epoch),
                      train_s=round(measured_s * scale, 3),
                      s_per_iter=round(s_per_iter, 5),
                      train_cpu_s=round(cpu_s * scale, 3),
                      measured_s=round(measured_s, 3),
                      other_cpu_cores=round((busy - cpu) / wall, 3)
                      if wall > 0 else None,
                      resumed=resumed,
                      peak_mem_mb=round(peak_memory_mb(), 1),
                      seed=int(runner.seed), world_size=get_world_size(),
                      execution=execution_facts(), ranks=ranks)
        if test_metrics is not None:
            result['test_metrics'] = test_metrics
        for key, name in (('predicted', 'no_predictions'),
                          ('test_predicted', 'test_no_predictions')):
            counts = [r[key] for r in ranks if r[key] is not None]
            if counts:
                result[name] = sum(counts) == 0
        path = osp.join(runner.work_dir, self.filename)
        with open(path + '.tmp', 'w') as f:
            json.dump(result, f, indent=1)
        os.replace(path + '.tmp', path)


def _plain(value):
    if hasattr(value, 'item'):
        return value.item()
    return value
