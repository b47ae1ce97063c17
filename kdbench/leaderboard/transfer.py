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

The protocol holds here as in a benchmark suite: the suite's ``threads``,
``jobs`` (runs side by side), ``paired`` and ``cfg_options`` apply to every
task, each method is compared with its pretraining reference (the
pretraining suite's ``reference``, else ``baseline``) on the seeds both
have (a fine-tuning of seed s starts from pretraining seed s and shares
the head's initialisation and the data order with the others of seed s),
and each task's table gives Δ with its 95 % CI, a verdict, the minimum
detectable effect and a forest plot.
"""
import math
import os.path as osp
import statistics
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

from mmengine.config import Config

from kdbench.distillers.model_refs import REPO_ROOT
from .records import find, read_records
from .render import (_add_deltas, _fmt_delta, _order, _slug,
                     current_runs, detectable_effect, write_plots,
                     _spread_out_text)
from .runner import (BenchmarkRunner, _kill_group, _stem, file_sha256,
                     repo_relpath)


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

    def task_runner(self, task: str,
                    source: Optional[dict] = None) -> BenchmarkRunner:
        """A runner of ``task``; ``source``: the pretraining run whose
        backbone its runs start from (one runner per source, so runs of
        different sources can train side by side)."""
        spec = self.task_spec(task)
        runner = BenchmarkRunner(self.suite_path, suite=spec,
                                 records_path=self.records_path,
                                 work_root=self.work_root, rerun=self.rerun,
                                 name=f'{_stem(self.suite_path)}_{task}')
        runner.source = source
        return runner

    # protocol keys a transfer suite sets for all its tasks (a task may
    # override them), passed on to each task's runner
    PROTOCOL_KEYS = ('validation_split', 'threads', 'jobs', 'paired')

    def references(self) -> Dict[str, str]:
        """{method: the method it is compared with}: the pretraining
        suite's ``reference`` for the methods run here, else
        ``baseline``."""
        refs = dict(self.pretraining.suite.get('reference', {}) or {})
        return {m: r for m, r in refs.items()
                if m in self.methods and r in self.methods}

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
            student=pre.student, reference=self.references(),
            methods={m: t['config'] for m in self.methods}))

    # -------------------------------------------------------------- run
    def run(self) -> int:
        jobs = [(task, m, s) for task in self.tasks for m in self.methods
                for s in self.suite.seeds]
        width = int(self.suite.get('jobs', 1))
        print(f'Transfer suite {self.suite_path}: {len(self.tasks)} tasks x '
              f'{len(self.methods)} pretraining methods x seeds '
              f'{list(self.suite.seeds)}; threads '
              f'{self.suite.get("threads") or "not fixed"}, {width} job(s) '
              f'side by side', flush=True)
        durations: List[float] = []
        runners: List[BenchmarkRunner] = []
        lock = threading.Lock()

        def fine_tune(number, task, method, seed):
            label = f'[{number}/{len(jobs)}] {task} from {method} seed {seed}'
            try:
                source = self.source(method, seed)
            except MissingPretrainingError as err:
                print(f'{label}: {err}', flush=True)
                with lock:
                    self.failures.append(label)
                return
            runner = self.task_runner(task, source)
            with lock:
                runners.append(runner)
            options = {**self.suite.get('cfg_options', {}),
                       **self.tasks[task].get('cfg_options', {}),
                       'model.backbone.init_cfg.checkpoint':
                       source['weights']}
            runner.run_job(method, seed, runner.methods[method], options,
                           None, None, label, durations, len(jobs) - number)
            with lock:
                self.failures += [f for f in runner.failures
                                  if f not in self.failures]

        work = [(n, *job) for n, job in enumerate(jobs, 1)]
        if width == 1:
            for item in work:
                fine_tune(*item)
        else:
            with ThreadPoolExecutor(max_workers=width) as pool:
                futures = [pool.submit(fine_tune, *item) for item in work]
                try:
                    for future in futures:
                        future.result()
                except KeyboardInterrupt:
                    for future in futures:
                        future.cancel()
                    for runner in list(runners):
                        runner._stopping = True
                        for proc in list(runner._procs):
                            _kill_group(proc)
                    raise
        self.render()
        if self.failures:
            print(f'{len(self.failures)} transfer runs failed or lack their '
                  f'pretraining: {", ".join(self.failures)}')
            return 1
        return 0

    def render(self) -> str:
        # every task of the suite, also when --tasks ran only some of them
        path = osp.join(REPO_ROOT, self.suite.leaderboard)
        text = render_transfer_matrix(
            read_records(self.records_path), list(self.suite.tasks),
            self.suite.title, self.suite.pretraining,
            plot_stem=osp.splitext(path)[0])
        with open(path, 'w') as f:
            f.write(text)
        print(text)
        return text


def _task_rows(runs_by_method: Dict[str, List[dict]]) -> Dict[str, dict]:
    """Rows of one downstream task in the form the leaderboard's
    statistics and plots read (values by seed, reference, pairing)."""
    from .render import _curve
    rows = {}
    for method, runs in runs_by_method.items():
        # a failed fine-tuning is not a score (the runner lists it)
        runs = sorted((r for r in runs if r.get('status') != 'failed'),
                      key=lambda r: r['seed'])
        if not runs:
            continue
        values = [r['value'] for r in runs]
        rows[method] = dict(
            mean=statistics.mean(values), n=len(values),
            std=statistics.stdev(values) if len(values) > 1 else 0.0,
            values={r['seed']: r['value'] for r in runs},
            reference=runs[0].get('reference', 'baseline'),
            paired=bool(runs[0].get('paired')), curve=_curve(runs),
            commits=sorted({r['commit'] for r in runs}),
            metric=f'{runs[0]["metric"]} ({runs[0]["dataset"]})')
    _add_deltas(rows)
    return rows


def render_transfer_matrix(records: List[dict], tasks: List[str],
                           title: str, pretraining: str,
                           plot_stem: Optional[str] = None) -> str:
    """Pretraining method × downstream task: mean ± sample std over the
    pretraining seeds of each task's metric (current runs only: of the
    fine-tunings, those that started from the weights of the current
    pretraining run of their method and seed); then, per task, Δ of each
    method against its reference with the 95 % CI, the verdict and the
    minimum detectable effect, and (with ``plot_stem``) a forest plot and
    validation curves written beside the table."""
    current_sources = _current_pretraining_weights(records, pretraining)
    by_task = {}
    for task in tasks:
        rows = [r for r in records if r.get('task') == task and
                (r.get('source') or {}).get('suite') == pretraining and
                _from_current_source(r['source'], current_sources)]
        task_rows = _task_rows(current_runs(rows))
        if task_rows:
            by_task[task] = task_rows
    lines = [f'# {title}', '',
             'Written by `tools/transfer.py` from '
             f'`leaderboards/records.jsonl`; do not edit by hand. Each cell fine-tunes the backbone of '
             f'the pretraining runs of `{pretraining}` (one per seed) on a '
             f'downstream task: mean ± sample std over those seeds (n), '
             f'on the task\'s test split after the last epoch. Below the '
             f'matrix, per task: Δ against the row named in "vs" (the '
             f'plain network pretrained with the same budget) with its '
             f'95 % confidence interval, paired by seed (a fine-tuning of '
             f'seed s starts from pretraining seed s and shares the head\'s '
             f'initialisation and data order with the other methods\' '
             f'seed s) where the suite pairs seeds, Welch otherwise; '
             f'verdict: better / worse when the interval excludes 0.', '']
    if not by_task:
        return '\n'.join(lines + ['No records yet.', ''])
    metrics = {t: next(iter(rows.values()))['metric']
               for t, rows in by_task.items()}
    methods = sorted({m for rows in by_task.values() for m in rows},
                     key=_order)
    header = ' | '.join(metrics.get(t, t) for t in tasks)
    lines += [f'| pretraining | {header} |',
              '|---|' + '---|' * len(tasks)]
    for method in methods:
        cells = []
        for task in tasks:
            row = by_task.get(task, {}).get(method)
            cells.append(f'{row["mean"]:.2f} ± {row["std"]:.2f} '
                         f'({row["n"]})' if row else '–')
        lines.append(f'| {method} | ' + ' | '.join(cells) + ' |')
    for task in tasks:
        rows = by_task.get(task)
        if not rows:
            continue
        lines += ['', f'## {task}: {metrics[task]}', '',
                  '| pretraining | n | mean ± std | vs | Δ [95 % CI] | '
                  'verdict |', '|---|---|---|---|---|---|']
        for method in sorted(rows, key=_order):
            row = rows[method]
            delta, verdict = _fmt_delta(row)
            ref = row['reference'] if row.get('delta') is not None or \
                'delta_of_means' in row else '–'
            lines.append(f'| {method} | {row["n"]} | {row["mean"]:.2f} ± '
                         f'{row["std"]:.2f} | {ref} | {delta} | {verdict} |')
        mde = detectable_effect(rows)
        if mde is not None and not math.isnan(mde['mde']):
            lines += ['', f'Minimum detectable effect: **{mde["mde"]:.2f}** '
                      f'{metrics[task].split(" ")[0]} (80 % power, 5 % '
                      f'level; {"paired" if mde["paired"] else "unpaired"}, '
                      f'n = {mde["n"]}, pooled sd {mde["sd"]:.2f}); a true Δ '
                      f'smaller than this is likely to read as no '
                      f'detectable difference.'
                      + _spread_out_text(mde, metrics[task].split(' ')[0])]
        if plot_stem is not None:
            written = write_plots(rows, metrics[task].split(' ')[0],
                                  f'{plot_stem}_{_slug(task)}')
            if 'forest' in written:
                lines += ['', f'![Δ with 95 % CI per pretraining method, '
                          f'{task}]({osp.basename(written["forest"])})']
            if 'curves' in written:
                lines += ['', f'![validation curves, {task}]'
                          f'({osp.basename(written["curves"])})']
        commits = sorted({c for r in rows.values() for c in r['commits']})
        lines += ['', 'Commits: ' + ', '.join(f'`{c[:12]}`'
                                               for c in commits)]
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
