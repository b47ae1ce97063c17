"""Transfer runner: fine-tune the backbone of every recorded run of a
pretraining suite on every downstream task (tiny networks, METHODS §5.3).

A transfer suite (``configs/benchmarks/transfer_*.py``) names the
pretraining suite, its methods and seeds, and the downstream tasks, each a
config whose backbone starts from ``kdbench.PretrainedBackbone``. For each
task, pretraining method and seed the runner trains the task config with
the backbone loaded from that pretraining run's ``weights.pth`` (same seed)
and records it with ``task`` = the task id (``transfer_det``,
``transfer_seg``, ``transfer_cls``), ``method`` = the pretraining method
and ``source`` = the pretraining run (suite, method, seed, weights sha256).
Recorded runs are skipped; the matrix goes to the suite's leaderboard.
"""
import os.path as osp
import statistics
from typing import Dict, List, Optional

from mmengine.config import Config

from kdbench.distillers.model_refs import REPO_ROOT
from .records import find, read_records
from .render import _order, current_runs
from .runner import BenchmarkRunner, _stem, file_sha256, repo_relpath


class MissingPretrainingError(RuntimeError):
    pass


class TransferRunner:

    def __init__(self, suite_path: str, records_path: Optional[str] = None,
                 work_root: str = 'work_dirs', rerun: bool = False,
                 methods: Optional[List[str]] = None,
                 tasks: Optional[List[str]] = None):
        self.suite_path = suite_path
        self.suite = Config.fromfile(suite_path)
        self.records_path = records_path or osp.join(
            REPO_ROOT, 'leaderboards', 'records.jsonl')
        self.work_root = osp.abspath(work_root)
        self.pretraining = BenchmarkRunner(
            osp.join(REPO_ROOT, self.suite.pretraining),
            records_path=self.records_path, work_root=work_root)
        self.methods = list(methods or self.suite.methods)
        unknown = [m for m in self.methods
                   if m not in self.pretraining.methods]
        if unknown:
            raise ValueError(f'Methods {unknown} are not in the pretraining '
                             f'suite {self.suite.pretraining} '
                             f'({list(self.pretraining.methods)}).')
        self.tasks = {k: v for k, v in self.suite.tasks.items()
                      if not tasks or k in tasks}
        if tasks and set(tasks) - set(self.tasks):
            unknown = sorted(set(tasks) - set(self.tasks))
            raise ValueError(f'Unknown tasks {unknown}; the suite has '
                             f'{list(self.suite.tasks)}.')
        self.rerun = rerun
        self.failures: List[str] = []

    # ---------------------------------------------------------- sources
    def source(self, method: str, seed: int) -> dict:
        """The recorded pretraining run of ``method``/``seed`` and its
        weights; an actionable error when it is missing."""
        pre = self.pretraining
        records = find(read_records(self.records_path),
                       task=pre.suite.task, method=method, seed=seed,
                       suite=repo_relpath(osp.abspath(pre.suite_path)))
        weights = osp.join(pre.work_root, 'benchmarks', pre.name, method,
                           f'seed{seed}', 'weights.pth')
        if not records or not osp.isfile(weights):
            raise MissingPretrainingError(
                f'No recorded {method} seed {seed} run of '
                f'{self.suite.pretraining} with weights at {weights}; run '
                f'`python tools/benchmark.py {self.suite.pretraining}` '
                f'first.')
        # only runs of the pretraining config as it is now (a run of an
        # older schedule whose weights.pth is still on disk is not current)
        config = pre.methods[method]
        config_sha = pre.config_sha(config)
        records = [r for r in records
                   if r.get('config_sha256') in (None, config_sha)]
        if not records:
            raise MissingPretrainingError(
                f'The recorded {method} seed {seed} runs of '
                f'{self.suite.pretraining} are of an older version of '
                f'{config}; run `python tools/benchmark.py '
                f'{self.suite.pretraining} --methods {method} --seeds '
                f'{seed}` first.')
        sha = file_sha256(weights)
        latest = max(records, key=lambda r: r.get('finished_at', ''))
        if latest.get('weights_sha256') not in (None, sha):
            raise MissingPretrainingError(
                f'{weights} is not the weights of the recorded {method} '
                f'seed {seed} run of {self.suite.pretraining} (sha256 '
                f'{sha[:12]} vs recorded {latest["weights_sha256"][:12]}); '
                f'run `python tools/benchmark.py {self.suite.pretraining} '
                f'--methods {method} --seeds {seed} --rerun`.')
        return dict(suite=self.suite.pretraining, method=method, seed=seed,
                    weights=weights, sha256=sha)

    def task_runner(self, task: str) -> BenchmarkRunner:
        spec = self.task_spec(task)
        return BenchmarkRunner(self.suite_path, suite=spec,
                               records_path=self.records_path,
                               work_root=self.work_root, rerun=self.rerun,
                               name=f'{_stem(self.suite_path)}_{task}')

    # protocol keys a transfer suite sets for all its tasks (a task may
    # override them), passed on to each task's runner
    PROTOCOL_KEYS = ('validation_split', 'threads')

    def task_spec(self, task: str) -> Config:
        t = self.tasks[task]
        pre = self.pretraining.suite
        protocol = {k: t.get(k, self.suite.get(k)) for k in
                    self.PROTOCOL_KEYS if t.get(k, self.suite.get(k))
                    is not None}
        return Config(dict(
            **protocol,
            task=task, benchmark=self.suite.benchmark, dataset=t['dataset'],
            metric=t['metric'], metric_key=t['metric_key'],
            metric_scale=t.get('metric_scale', 1), title=self.suite.title,
            leaderboard=self.suite.leaderboard, seeds=list(self.suite.seeds),
            teacher=dict(name=f'{pre.student} pretraining', seed=0,
                         config=self.suite.pretraining),
            student=pre.student,
            methods={m: t['config'] for m in self.methods}))

    # -------------------------------------------------------------- run
    def run(self) -> int:
        jobs = [(task, m, s) for task in self.tasks for m in self.methods
                for s in self.suite.seeds]
        print(f'Transfer suite {self.suite_path}: {len(self.tasks)} tasks x '
              f'{len(self.methods)} pretraining methods x seeds '
              f'{list(self.suite.seeds)}', flush=True)
        runners = {task: self.task_runner(task) for task in self.tasks}
        durations: List[float] = []
        for number, (task, method, seed) in enumerate(jobs, 1):
            label = f'[{number}/{len(jobs)}] {task} from {method} seed {seed}'
            try:
                source = self.source(method, seed)
            except MissingPretrainingError as err:
                print(f'{label}: {err}', flush=True)
                self.failures.append(label)
                continue
            runner = runners[task]
            runner.source = source
            options = {**self.tasks[task].get('cfg_options', {}),
                       'model.backbone.init_cfg.checkpoint':
                       source['weights']}
            runner.run_job(method, seed, runner.methods[method], options,
                           None, None, label, durations, len(jobs) - number)
            self.failures += [f for f in runner.failures
                              if f not in self.failures]
        self.render()
        if self.failures:
            print(f'{len(self.failures)} transfer runs failed or lack their '
                  f'pretraining: {", ".join(self.failures)}')
            return 1
        return 0

    def render(self) -> str:
        # every task of the suite, also when --tasks ran only some of them
        text = render_transfer_matrix(read_records(self.records_path),
                                      list(self.suite.tasks), self.suite.title,
                                      self.suite.pretraining)
        path = osp.join(REPO_ROOT, self.suite.leaderboard)
        with open(path, 'w') as f:
            f.write(text)
        print(text)
        return text


def render_transfer_matrix(records: List[dict], tasks: List[str],
                           title: str, pretraining: str) -> str:
    """Pretraining method × downstream task: mean ± sample std over the
    pretraining seeds of each task's metric (current runs only: of the
    fine-tunings, those that started from the weights of the current
    pretraining run of their method and seed)."""
    cells: Dict[str, Dict[str, tuple]] = {}
    metrics = {}
    current_sources = _current_pretraining_weights(records, pretraining)
    for task in tasks:
        rows = [r for r in records if r.get('task') == task and
                (r.get('source') or {}).get('suite') == pretraining and
                _from_current_source(r['source'], current_sources)]
        for method, runs in current_runs(rows).items():
            # a failed fine-tuning is not a score (the runner lists it)
            runs = [r for r in runs if r.get('status') != 'failed']
            if not runs:
                continue
            values = [r['value'] for r in runs]
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.setdefault(method, {})[task] = (
                statistics.mean(values), std, len(values))
            metrics[task] = f'{runs[0]["metric"]} ({runs[0]["dataset"]})'
    lines = [f'# {title}', '',
             'Written by `tools/transfer.py` from '
             f'`leaderboards/records.jsonl`; do not edit by hand. Each cell fine-tunes the backbone of '
             f'the pretraining runs of `{pretraining}` (one per seed) on a '
             f'downstream task: mean ± sample std over those seeds (n).', '']
    if not cells:
        return '\n'.join(lines + ['No records yet.', ''])
    header = ' | '.join(metrics.get(t, t) for t in tasks)
    lines += [f'| pretraining | {header} |',
              '|---|' + '---|' * len(tasks)]
    for method in sorted(cells, key=_order):
        row = []
        for task in tasks:
            if task in cells[method]:
                mean, std, n = cells[method][task]
                row.append(f'{mean:.2f} ± {std:.2f} ({n})')
            else:
                row.append('–')
        lines.append(f'| {method} | ' + ' | '.join(row) + ' |')
    return '\n'.join(lines + [''])


def _current_pretraining_weights(records: List[dict],
                                 pretraining: str) -> Dict[tuple, str]:
    """{(method, seed): sha256 of the weights, or None for a record that
    does not state it} of the current runs of the pretraining suite (runs
    of a method's older config are not current)."""
    # pretraining records name their suite relative to the repository
    suite = repo_relpath(pretraining)
    rows = [r for r in records if r.get('suite') == suite and
            not str(r.get('task', '')).startswith('transfer_')]
    return {(r['method'], r['seed']): r.get('weights_sha256')
            for runs in current_runs(rows).values() for r in runs}


def _from_current_source(source: dict, current: Dict[tuple, str]) -> bool:
    """A fine-tuning is current when its backbone's weights are those of
    the current pretraining run of its method and seed; a pretraining
    record without a hash cannot tell, so its fine-tunings count."""
    key = (source.get('method'), source.get('seed'))
    if key not in current:  # no current run: an older config's backbone
        return False
    return current[key] is None or source.get('sha256') == current[key]


__all__ = ['TransferRunner', 'MissingPretrainingError',
           'render_transfer_matrix']
