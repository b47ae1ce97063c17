"""Benchmark runner: teacher once, tuning on the validation split, then
every method × seed on the test split, then a table.

A suite is an mmengine config file (``configs/benchmarks/*.py``) naming the
task, the metric, the teacher config, the methods' configs and the seeds.
The runner

* first makes the backbone pretrainings the suite lists under
  ``pretrained`` (once, cached in ``work_dirs/pretrained/<config>``, where
  the mini detection / segmentation configs load them from); their weights'
  sha256 is part of every record's identity;
* trains the teacher once and caches it (``work_dirs/teachers/<config>``),
  or takes the weights given with ``--teacher``; a teacher is identified by
  its config (resolved content) and seed, so a teacher retrained from the
  same config elsewhere keeps the recorded rows current (its weights'
  sha256 and score are recorded beside);
* evaluates the suite's ``tuning`` grid of every method on the validation
  split with the tuning seed, and takes the setting with the best
  validation metric (a suite with ``validation_split = True`` never looks
  at the test split while tuning);
* trains each (method, seed) with the chosen setting as a separate
  ``tools/train.py`` process with fixed thread counts (``threads``), up to
  ``jobs`` side by side, whose log goes to its work_dir, resuming a run
  that was killed part-way;
* appends one record per finished run to the records file and skips runs
  already recorded, so it can be killed and re-run at any time;
* renders the leaderboard markdown (and its plots) from all records of
  the task.
"""
import datetime
import glob
import hashlib
import json
import os
import os.path as osp
import itertools
import math
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

from mmengine.config import Config

from kdbench.distillers.model_refs import REPO_ROOT
from kdbench.utils.process import PARENT_ENV, Busy, exclusive_lock
from kdbench.utils.hashing import file_sha256
from .teacher_extras import TeacherExtras
from .records import (append_record, find, git_commit, read_records,
                      stack_versions)
from .render import write_leaderboard

TRAIN_TOOL = osp.join(REPO_ROOT, 'tools', 'train.py')
TEST_TOOL = osp.join(REPO_ROOT, 'tools', 'test.py')
# thread variables every run gets from the suite's ``threads``
THREAD_ENV_VARS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')
# records of the protocol (validation split, tuning, fixed threads, paired
# seeds, CPU-time cost) carry ``protocol: 2``
PROTOCOL = 2
# where model configs load pretrained backbones from (relative paths in the
# configs resolve against the repository root, where tools are run)
PRETRAINED_ROOT = osp.join(REPO_ROOT, 'work_dirs', 'pretrained')


class RunFailed(RuntimeError):
    """A run that ended without a result; ``reason`` is one line for the
    record (the training's own ``kdbench: error:`` line when it gave one),
    ``command`` the command that was run."""

    def __init__(self, message: str, reason: Optional[str] = None,
                 command: Optional[str] = None):
        super().__init__(message)
        self.reason = reason or message.splitlines()[0]
        self.command = command


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill a trainer started in its own process group, and its group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _failure_reason(log_tail: str, returncode: int) -> str:
    """The training's ``kdbench: error:`` line, else its last line."""
    lines = [line.strip() for line in log_tail.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith('kdbench: error:'):
            return line[len('kdbench: error:'):].strip()
    last = lines[-1] if lines else ''
    return f'exit {returncode}' + (f': {last[:300]}' if last else '')


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def repo_relpath(path: str) -> str:
    """``path`` (absolute, or relative to the repository root) relative to
    the repository root: the form records name their suite in."""
    return osp.relpath(osp.join(REPO_ROOT, path), REPO_ROOT)


def tuning_grids(tuning: dict, methods) -> Dict[str, dict]:
    """Each method's tuning grid: its entry of ``tuning.method_grids``,
    else the suite's ``tuning.grid``."""
    return {m: dict((tuning.get('method_grids') or {}).get(
        m, tuning.get('grid') or {})) for m in methods}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec='seconds')


def _options(options: dict) -> List[str]:
    return [f'{k}={v}' for k, v in options.items()]


def config_sha256(path: str) -> str:
    """Hash of a config as resolved: its ``_base_`` files and the student /
    teacher configs it references are included, so editing any file a run
    depends on makes its runs new runs."""
    from kdbench.distillers.model_refs import load_model_cfg
    cfg = Config.fromfile(osp.join(REPO_ROOT, path)).to_dict()
    model = cfg.get('model', {})
    for role in ('student', 'teacher'):
        if isinstance(model.get(role), str):
            model[role] = load_model_cfg(model[role], role)
    text = json.dumps(cfg, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _command_options(command: str) -> List[str]:
    """The ``--cfg-options`` items of a recorded train command."""
    args = shlex.split(command)
    if '--cfg-options' not in args:
        return []
    rest = args[args.index('--cfg-options') + 1:]
    return [a for a in rest if '=' in a and not a.startswith('--')]


def _run_options(items: List[str]) -> frozenset:
    """Options that define a run; the teacher checkpoint's path is where
    the cached teacher lies, not a setting, so it is left out."""
    return frozenset(i for i in items
                     if not i.startswith('model.teacher_checkpoint='))


class BenchmarkRunner(TeacherExtras):
    """Run one suite (see module doc). ``quick`` uses the suite's ``quick``
    overrides (fewer seeds, shorter schedule) and separate caches/records.

    Suite keys of the protocol (all optional; see configs/benchmarks/):

    * ``threads``: torch / OpenMP / MKL threads of every run (they change
      results; recorded, and part of a run's identity);
    * ``jobs``: runs trained side by side (``--jobs`` overrides);
    * ``paired``: runs of one seed share the student's initialisation and
      data order, so Δ is paired by seed;
    * ``validation_split``: the configs validate on a validation split and
      test once after training; records report the test metric, tuning
      looks only at the validation metric;
    * ``reference``: ``{method: baseline method}`` for methods compared
      with a baseline of matched budget (default ``baseline``);
    * ``tuning = dict(seed=..., grid={key: [values]}, method_grids={...},
      share={method: source})``: the settings tried per method on the
      validation split; a method in ``share`` is not tuned but trains with
      the setting chosen for ``source`` (another implementation of the same
      method, e.g. KD from a teacher-output cache, or an ablation of it:
      compared with its source at the same setting, the comparison
      measures the implementation or the removed part, not the noise of
      two independent choices).
    """

    def __init__(self, suite_path: str, quick: bool = False,
                 records_path: Optional[str] = None,
                 seeds: Optional[List[int]] = None,
                 methods: Optional[List[str]] = None,
                 work_root: str = 'work_dirs', rerun: bool = False,
                 suite: Optional[Config] = None, name: Optional[str] = None,
                 jobs: Optional[int] = None,
                 teacher_weights: Optional[str] = None,
                 leaderboard_path: Optional[str] = None):
        self.suite_path = suite_path
        # ``suite``/``name``: a suite built in code (tools/transfer.py makes
        # one per downstream task of a transfer suite file)
        self.suite = suite if suite is not None else \
            Config.fromfile(suite_path)
        self.name = (name or _stem(suite_path)) + ('_quick' if quick else '')
        self.quick = quick
        quick_cfg = self.suite.get('quick', {}) if quick else {}
        self.seeds = list(seeds if seeds is not None else
                          quick_cfg.get('seeds', self.suite.seeds))
        self.cfg_options = {**self.suite.get('cfg_options', {}),
                            **quick_cfg.get('cfg_options', {})}
        # per-method options (e.g. a multi-stage method's own short
        # schedule in --quick): they replace the quick cfg_options
        self.method_options = dict(quick_cfg.get('method_cfg_options', {}))
        self.teacher_options = {**self.suite.get('teacher_cfg_options', {}),
                                **quick_cfg.get('teacher_cfg_options', {})}
        self.all_methods = dict(self.suite.methods)
        self.methods = dict(self.all_methods)
        if methods:
            unknown = [m for m in methods if m not in self.methods]
            if unknown:
                raise ValueError(f'Unknown methods {unknown}; the suite has '
                                 f'{list(self.methods)}.')
            self.methods = {m: self.methods[m] for m in methods}
        self.threads = self.suite.get('threads')
        self.jobs = int(jobs or self.suite.get('jobs', 1))
        if self.jobs < 1:
            raise ValueError(f'--jobs must be at least 1, got {self.jobs}.')
        self.paired = bool(self.suite.get('paired', False))
        self.validation_split = bool(self.suite.get('validation_split',
                                                    False))
        self.references = dict(self.suite.get('reference', {}))
        self._check_references()
        self._check_comparisons()
        tuning = dict(self.suite.get('tuning') or {})
        tuning.update(quick_cfg.get('tuning', {}))
        self.tune_seed = tuning.get('seed')
        self.grids = tuning_grids(tuning, self.all_methods)
        self.shared_tuning = dict(tuning.get('share', {}))
        self._check_tuning()
        self.work_root = osp.abspath(work_root)
        quick_root = osp.join(work_root, 'benchmarks', 'quick')
        self.records_path = records_path or (
            osp.join(quick_root, 'records.jsonl') if quick else
            osp.join(REPO_ROOT, 'leaderboards', 'records.jsonl'))
        self.leaderboard_path = leaderboard_path or (
            osp.join(quick_root, osp.basename(self.suite.leaderboard))
            if quick else osp.join(REPO_ROOT, self.suite.leaderboard))
        self.teacher_weights = (osp.abspath(teacher_weights)
                                if teacher_weights else None)
        self.commit = git_commit(REPO_ROOT)
        self.versions = stack_versions()
        self.rerun = rerun
        self.failures: List[str] = []
        self._config_shas = {}
        # config -> sha256 of its weights, filled by pretrain(); None when
        # the suite lists no pretraining (records then carry no such key)
        self.pretrained_shas: Optional[dict] = None
        # what a transfer run starts from (tools/transfer.py): pretraining
        # suite, method, seed, weights and their sha256; part of the identity
        self.source: Optional[dict] = None
        self._extra_weights: Dict[str, str] = {}
        self._teacher_id: Optional[str] = None
        self._print_lock = threading.Lock()
        self._procs: set = set()
        self._stopping = False

    # ------------------------------------------------------- validation
    def _check_references(self) -> None:
        for method, ref in self.references.items():
            if method not in self.all_methods or ref not in self.all_methods:
                raise ValueError(
                    f'Suite `reference`: {method!r} -> {ref!r} names a '
                    f'method the suite does not have '
                    f'({list(self.all_methods)}).')

    def _check_comparisons(self) -> None:
        """``comparisons`` are pairs of the suite's methods: a misspelt
        name would silently drop its row from the table."""
        for pair in self.suite.get('comparisons', []):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or \
                    any(m not in self.all_methods for m in pair):
                raise ValueError(
                    f'Suite `comparisons`: {pair!r} is not a pair of '
                    f'methods the suite has ({list(self.all_methods)}).')

    def reference(self, method: str) -> Optional[str]:
        """The baseline ``method``'s Δ is against (None for baselines)."""
        if method in ('teacher', 'baseline') or \
                method in self.references.values():
            return None
        return self.references.get(method, 'baseline')

    def _check_tuning(self) -> None:
        """A grid needs a validation split (else it would tune on the test
        split) and a tuning seed; no method may try more settings than the
        baseline it is compared with."""
        self._check_shared_tuning()
        if not any(self.grids.values()):
            return
        if not self.validation_split:
            raise ValueError(
                'The suite declares a tuning grid but no validation split '
                '(`validation_split = True`): tuning would choose on the '
                'test split. Give its configs a validation split first.')
        if self.tune_seed is None:
            raise ValueError('The suite\'s `tuning` needs a `seed` (one not '
                             'among the reported seeds).')
        for method in self.all_methods:  # malformed grids fail here
            self.grid_points(method)
        if self.tune_seed in self.suite.seeds:
            raise ValueError(f'The tuning seed {self.tune_seed} is one of '
                             f'the reported seeds {list(self.suite.seeds)}; '
                             f'pick another, so no reported run was chosen '
                             f'on.')
        for method in self.all_methods:
            ref = self.reference(method)
            if ref is None:
                continue
            if len(self.grid_points(method)) > len(self.grid_points(ref)):
                raise ValueError(
                    f'Tuning: {method} tries {len(self.grid_points(method))} '
                    f'settings, its baseline {ref} only '
                    f'{len(self.grid_points(ref))}; give the baseline at '
                    f'least as many (no method may get a tuning advantage).')

    def methods_to_train(self) -> Dict[str, str]:
        """The selected methods and the sources whose tuned setting they
        share (tuned, with their teachers and caches, even when not
        selected); suite order."""
        sources = {self.shared_tuning[m] for m in self.methods
                   if m in self.shared_tuning}
        return {m: c for m, c in self.all_methods.items()
                if m in self.methods or m in sources}

    def _check_shared_tuning(self) -> None:
        """``tuning.share`` names methods of the suite, a tuned source
        (not another sharing method) and the same grid on both sides."""
        for method, source in self.shared_tuning.items():
            if method not in self.all_methods or \
                    source not in self.all_methods:
                raise ValueError(
                    f'Suite `tuning.share`: {method!r} -> {source!r} names a '
                    f'method the suite does not have '
                    f'({list(self.all_methods)}).')
            if source in self.shared_tuning:
                raise ValueError(
                    f'Suite `tuning.share`: {method!r} shares the setting of '
                    f'{source!r}, which itself shares one; name the tuned '
                    f'method.')
            if self.grids.get(method) != self.grids.get(source):
                raise ValueError(
                    f'Suite `tuning.share`: {method!r} and {source!r} have '
                    f'different grids; a shared setting must come from the '
                    f'same grid.')

    def grid_points(self, method: str) -> List[dict]:
        """Every setting of ``method``'s grid (the cartesian product of its
        keys' values); ``[{}]`` without a grid. A key ``'a|b'`` sets ``a``
        and ``b`` to the same value (e.g. the lr of several optimizers); a
        key ``'a,b'`` takes pairs, ``a`` and ``b`` moving together (e.g.
        an lr and the clipping norm that keeps lr x max_norm fixed)."""
        grid = self.grids.get(method) or {}
        keys = sorted(grid)
        points = []
        for values in itertools.product(*(list(grid[k]) for k in keys)):
            point = {}
            for key, value in zip(keys, values):
                if ',' in key:
                    names = key.split(',')
                    if not isinstance(value, (list, tuple)) or \
                            len(value) != len(names):
                        raise ValueError(
                            f'Tuning grid of {method}: key {key!r} moves '
                            f'{len(names)} settings together, so each '
                            f'value must be a list of {len(names)}; got '
                            f'{value!r}.')
                    point.update(zip(names, value))
                else:
                    point.update({k: value for k in key.split('|')})
            points.append(point)
        return points

    # ------------------------------------------------------------ records
    def _base_record(self) -> dict:
        s = self.suite
        return dict(task=s.task, benchmark=s.benchmark + (
            '-quick' if self.quick else ''), dataset=s.dataset,
            teacher=s.teacher.name, student=s.student, metric=s.metric,
            suite=repo_relpath(osp.abspath(self.suite_path)),
            commit=self.commit, versions=self.versions,
            protocol=PROTOCOL, threads=self.threads, jobs=self.jobs,
            paired=self.paired)

    def _run_record(self) -> dict:
        """The fields every record of one of this suite's runs starts
        with: the suite's, plus the pretrained weights and the source
        (transfer) it depends on."""
        record = self._base_record()
        if self.pretrained_shas is not None:
            record['pretrained_sha256'] = self.pretrained_shas
        if self.source is not None:
            record['source'] = self.source
        return record

    def _recorded(self, method: str, seed: int, config: str,
                  options: dict, teacher_id: Optional[str] = None,
                  records_path: Optional[str] = None,
                  benchmark: Optional[str] = None,
                  phase: str = 'test', include_failed: bool = False) -> list:
        """Records of this very run: same method, seed, config file and
        resolved config content, options, thread count, phase (tuning or
        test), teacher (identified by config and seed, see module doc),
        and the same pretrained backbone weights."""
        base = self._base_record()
        wanted = _run_options(_options({'randomness.seed': seed, **options}))
        cfg_sha = self.config_sha(config)
        return [r for r in find(
            read_records(records_path or self.records_path),
            task=base['task'], benchmark=benchmark or base['benchmark'],
            dataset=base['dataset'], method=method, seed=seed, config=config,
            config_sha256=cfg_sha, teacher_id=teacher_id,
            threads=self.threads, phase=phase,
            pretrained_sha256=self.pretrained_shas, source=self.source)
            if (include_failed or r.get('status') != 'failed')
            and _run_options(_command_options(r['command'])) == wanted]

    def config_sha(self, config: str) -> str:
        """sha256 of ``config``'s resolved content (cached per run)."""
        if config not in self._config_shas:
            self._config_shas[config] = config_sha256(config)
        return self._config_shas[config]

    def teacher_id(self) -> str:
        """A trained teacher's identity: its resolved config, seed and
        options (not its weights: a retrain on another machine gives other
        bits from the same recipe); a released teacher's: its weights."""
        if self._teacher_id is None:
            t = self.suite.teacher
            if t.get('checkpoint'):
                self._teacher_id = 'weights:' + file_sha256(
                    self._released_path(t))
            else:
                text = json.dumps(dict(config=self.config_sha(t.config),
                                       seed=int(t.get('seed', 0)),
                                       options=self.teacher_options),
                                  sort_keys=True)
                self._teacher_id = 'config:' + hashlib.sha256(
                    text.encode()).hexdigest()
        return self._teacher_id

    # --------------------------------------------------------------- runs
    def _env(self) -> dict:
        env = dict(os.environ)
        env[PARENT_ENV] = str(os.getpid())  # the child dies with the runner
        if self.threads:
            for var in THREAD_ENV_VARS:
                env[var] = str(self.threads)
        return env

    def _train(self, config: str, work_dir: str, seed: int,
               extra_options: dict, label: str,
               teacher_id: Optional[str] = None) -> dict:
        """Train (or resume, or reuse a finished run) and return its
        result.json content plus the command used."""
        options = {'randomness.seed': seed, **extra_options}
        command = [sys.executable, TRAIN_TOOL, config, '--work-dir', work_dir,
                   '--cfg-options', *_options(options)]
        # everything that defines the run: a finished or interrupted run in
        # work_dir is reused or resumed only if all of it matches
        spec = dict(config=config, options=options,
                    config_sha256=self.config_sha(config),
                    teacher_id=teacher_id, threads=self.threads,
                    pretrained_sha256=self.pretrained_shas)
        if self.source is not None:
            spec['source'] = self.source
        # one trainer per work_dir: the lock (beside it) is passed on to
        # the trainer and held until both the trainer and this job end
        try:
            lock = exclusive_lock(work_dir.rstrip(os.sep) + '.lock',
                                  f'{work_dir}')
        except Busy as err:
            raise RunFailed(f'{label}: {err}') from None
        with lock:
            return self._train_locked(command, work_dir, spec, seed, label,
                                      lock)

    def _train_locked(self, command, work_dir, spec, seed, label,
                      lock) -> dict:
        self._claim_work_dir(work_dir, spec)
        result_file = osp.join(work_dir, 'result.json')
        if osp.isfile(result_file):
            with open(result_file) as f:
                result = json.load(f)
            if result.get('seed') == seed and result.get('metrics'):
                self._say(f'    reusing the finished run in {work_dir}')
                return dict(result, command=shlex.join(command))
        if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
            command.append('--resume')
            self._say(f'    resuming the interrupted run in {work_dir}')
        log_path = osp.join(work_dir, 'run.log')
        start = time.perf_counter()
        with open(log_path, 'a') as log:
            # its own process group: stopping the runner stops the trainer
            # and whatever it started
            proc = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log,
                                    stderr=subprocess.STDOUT, env=self._env(),
                                    process_group=0,
                                    pass_fds=(lock.fileno(),))
            self._procs.add(proc)
            try:
                returncode = proc.wait()
            except BaseException:  # Ctrl-C: the training dies with us
                _kill_group(proc)
                raise
            finally:
                self._procs.discard(proc)
        if self._stopping:
            raise KeyboardInterrupt
        if returncode != 0 or not osp.isfile(result_file):
            with open(log_path) as f:
                tail = ''.join(f.readlines()[-25:])
            raise RunFailed(f'{label} failed (exit {returncode}); last '
                            f'lines of {log_path}:\n{tail}',
                            _failure_reason(tail, returncode),
                            shlex.join(command))
        with open(result_file) as f:
            result = json.load(f)
        result['wall_s'] = time.perf_counter() - start
        return dict(result, command=shlex.join(command))

    def _say(self, text: str) -> None:
        with self._print_lock:
            print(text, flush=True)

    def _claim_work_dir(self, work_dir: str, spec: dict) -> None:
        """Make ``work_dir`` hold only a run of ``spec`` (config + options):
        a directory left by a run with other settings (an older schedule, a
        quick run) is removed, so it is neither resumed nor reused."""
        spec = json.loads(json.dumps(spec))
        spec_file = osp.join(work_dir, 'kdbench_run.json')
        if osp.isdir(work_dir):
            old = None
            if osp.isfile(spec_file):
                with open(spec_file) as f:
                    old = json.load(f)
            if old != spec:
                # through the lock: side-by-side jobs print at once
                self._say(f'    {work_dir} holds a run with other settings; '
                          f'starting it over')
                shutil.rmtree(work_dir)
        os.makedirs(work_dir, exist_ok=True)
        with open(spec_file, 'w') as f:
            json.dump(spec, f, indent=1, sort_keys=True)

    def _metric(self, result: dict, label: str,
                key: Optional[str] = None, split: str = 'test') -> float:
        """The suite's metric (or side metric ``key``) of a finished run,
        times the suite's ``metric_scale`` (e.g. 100 for COCO's 0-1 AP):
        of the test split (``split='test'`` in a suite with a validation
        split), else of the validation loop.

        A metric missing from the evaluation fails the run, except when the
        suite gives ``no_prediction_value`` and the log shows the evaluator
        had nothing to score on that split: mmdet's CocoMetric returns no
        bbox metric when the model predicted no box at all, which is an AP
        of 0, and is recorded as such (with ``no_predictions`` set in the
        record)."""
        key = key or self.suite.metric_key
        scale = float(self.suite.get('metric_scale', 1))
        if split == 'test' and self.validation_split:
            metrics = result.get('test_metrics')
            if metrics is None:
                raise RunFailed(f'{label}: no test-split evaluation in its '
                                f'result.json (test_after_train is off).')
            nothing_predicted = result.get('test_no_predictions')
        else:
            metrics = result['metrics']
            nothing_predicted = result.get('no_predictions')
        if key in metrics:
            value = float(metrics[key]) * scale
            if not math.isfinite(value):
                raise RunFailed(f'{label}: {key} is {value}, not a score.')
            return value
        empty = self.suite.get('no_prediction_value')
        if empty is not None and nothing_predicted:
            return float(empty)
        raise RunFailed(f'{label}: metric {key!r} missing from the '
                        f'evaluation ({sorted(metrics)}).')

    def _side_metrics(self, result: dict, label: str) -> dict:
        """Secondary metrics shown beside the main one (suite key
        ``side_metrics``: column name -> metric key)."""
        return {name: self._metric(result, label, key)
                for name, key in self.suite.get('side_metrics', {}).items()}

    def pretrain(self) -> Optional[dict]:
        """Make each backbone pretraining of the suite's ``pretrained`` list
        (seed 0; once: ``work_dirs/pretrained/<config>/weights.pth`` is the
        path the model configs load), ``self.jobs`` side by side (they are
        independent runs); return {config: sha256 of weights}."""
        configs = list(self.suite.get('pretrained', []))
        if not configs:
            return None

        def make(config, label):
            work_dir = osp.join(PRETRAINED_ROOT, _stem(config))
            # the cache holds a run of the config as it is now (resolved
            # content, threads): an edited pretraining is trained again
            self._say(f'[pretrained] {config} (cached in {work_dir})')
            result = self._train(config, work_dir, 0, {}, label)
            self._say(f'[pretrained] {config}: {result["metrics"]} '
                      f'({result["train_s"]:.0f} s)')
            return file_sha256(osp.join(work_dir, 'weights.pth'))

        shas = self._pool([(f'pretraining {config}',
                            lambda config=config, label=None: make(
                                config, label)) for config in configs])
        return dict(zip(configs, shas))

    def teacher(self) -> tuple:
        """Train the teacher once (cached), or take ``--teacher`` weights;
        return (weights path, score, sha256 of the weights).

        A suite whose teacher gives ``checkpoint`` (released weights, e.g.
        mmpretrain's ImageNet ResNet-50) uses that file as it is: nothing
        is trained, the score is the suite's stated ``value`` (or None),
        and a missing file stops the suite with ``how`` (how to get it)."""
        t = self.suite.teacher
        if t.get('checkpoint'):
            return self._released_teacher(t)
        if self.teacher_weights:
            return self._given_teacher(t)
        # the teacher is shared by full and quick runs unless the suite's
        # quick settings change its schedule
        own = self.quick and bool(self.suite.get('quick', {}).get(
            'teacher_cfg_options'))
        work_dir = osp.join(self.work_root, 'teachers',
                            _stem(t.config) + ('_quick' if own else ''))
        weights = osp.join(work_dir, 'weights.pth')
        seed = int(t.get('seed', 0))

        if osp.isfile(weights):
            sha = file_sha256(weights)
            recorded = self._teacher_records(sha)
            if recorded:
                print(f'[teacher] cached: {weights} '
                      f'({self.suite.metric} {recorded[0]["value"]:.2f})')
                return weights, recorded[0]['value'], sha
        shared = self._pretraining_run(t.config, seed)
        if shared is not None:
            weights, result = shared
            print(f'[teacher] the finished pretraining run of {t.config} '
                  f'(seed {seed}) in {osp.dirname(weights)} is the teacher; '
                  f'not trained again', flush=True)
            if self.validation_split and 'test_metrics' not in result:
                # trained without the test-split evaluation: evaluate it,
                # so its score is a test number as the students' are
                result = dict(result, test_metrics=self._test_metrics(
                    t, weights))
        else:
            print(f'[teacher] training {t.config} (cached afterwards in '
                  f'{work_dir})', flush=True)
            result = self._train(t.config, work_dir, seed,
                                 self.teacher_run_options(), 'teacher')
        value = self._metric(result, 'teacher')
        sha = file_sha256(weights)
        if not self._teacher_records(sha):  # an identical retrain: once
            self._append('teacher', seed, t.config, value, value, result,
                         sha)
        print(f'[teacher] {self.suite.metric} {value:.2f} '
              f'({result["train_s"]:.0f} s)', flush=True)
        return weights, value, sha

    def teacher_run_options(self) -> dict:
        """The teacher's training options: the suite's, and the test-split
        evaluation after training in a suite with a validation split (its
        score is a test number, as the students')."""
        options = dict(self.teacher_options)
        if self.validation_split:
            options['test_after_train'] = True
        return options

    def _teacher_records(self, sha: str) -> list:
        """Teacher records of the suite's teacher (its identity: config,
        seed, options) with weights ``sha``, trained here or given with
        ``--teacher`` (a quick run also looks in the full records file:
        the quick and full suites share the teacher unless quick changes
        it)."""
        base = self._base_record()
        keys = dict(task=base['task'], dataset=base['dataset'],
                    method='teacher', teacher_id=self.teacher_id(),
                    teacher_sha256=sha)
        found = find(read_records(self.records_path),
                     benchmark=base['benchmark'], **keys)
        own = self.quick and bool(self.suite.get('quick', {}).get(
            'teacher_cfg_options'))
        if not found and self.quick and not own:
            found = find(read_records(osp.join(REPO_ROOT, 'leaderboards',
                                               'records.jsonl')),
                         benchmark=self.suite.benchmark, **keys)
        return found

    def _given_teacher(self, t) -> tuple:
        """``--teacher PATH``: weights the user already has, trained from
        the suite's teacher config. Used where they are (never moved or
        deleted); their score is the recorded one for the same weights, or
        is measured once with ``tools/test.py`` on the suite's split and
        recorded as a teacher run."""
        weights = self.teacher_weights
        if not osp.isfile(weights):
            raise RunFailed(f'[teacher] --teacher {weights}: no such file.')
        sha = file_sha256(weights)
        recorded = self._teacher_records(sha)
        if recorded:
            value = recorded[0]['value']
        else:
            value = self._evaluate_teacher(t, weights)
            result = dict(iters=0, train_s=0.0, s_per_iter=0.0,
                          peak_mem_mb=0.0,
                          command=shlex.join([sys.executable, TEST_TOOL,
                                              t.config, weights]))
            self._append('teacher', int(t.get('seed', 0)), t.config, value,
                         value, result, sha, extra=dict(given=weights))
        print(f'[teacher] given: {weights} ({self.suite.metric} '
              f'{value:.2f})', flush=True)
        return weights, value, sha

    def _evaluate_teacher(self, t, weights: str) -> float:
        """The teacher config's test-loop metric of ``weights``."""
        metrics = self._test_metrics(t, weights)
        return self._metric(dict(metrics=metrics, test_metrics=metrics),
                            'teacher')

    def _test_metrics(self, t, weights: str) -> dict:
        """The teacher config's test-loop metrics of ``weights``, from
        ``tools/test.py`` (mmengine's LoggerHook writes the test metrics
        to ``<work_dir>/<timestamp>/<timestamp>.json``)."""
        work_dir = osp.join(self.work_root, 'teachers',
                            f'given_{file_sha256(weights)[:12]}')
        shutil.rmtree(work_dir, ignore_errors=True)
        command = [sys.executable, TEST_TOOL, t.config, weights,
                   '--work-dir', work_dir]
        if self.teacher_options:
            command += ['--cfg-options', *_options(self.teacher_options)]
        print(f'[teacher] evaluating the given weights {weights}',
              flush=True)
        proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True,
                              text=True, env=self._env())
        found = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
        if proc.returncode != 0 or not found:
            raise RunFailed(f'[teacher] evaluating {weights} failed (exit '
                            f'{proc.returncode}):\n{proc.stderr[-2000:]}')
        with open(found[-1]) as f:
            return json.load(f)

    def _pretraining_run(self, config: str, seed: int) -> Optional[tuple]:
        """(weights, result) of the cached backbone pretraining of
        ``config`` (``work_dirs/pretrained/``, made by :meth:`pretrain`
        with seed 0 and no options) when the teacher is that same run: the
        tiny track's ResNet-18 teacher is the detection and segmentation
        tracks' backbone pretraining. None otherwise."""
        if seed != 0 or self.teacher_options:
            return None
        work_dir = osp.join(PRETRAINED_ROOT, _stem(config))
        weights = osp.join(work_dir, 'weights.pth')
        result_file = osp.join(work_dir, 'result.json')
        if not (osp.isfile(weights) and osp.isfile(result_file)):
            return None
        with open(result_file) as f:
            result = json.load(f)
        if result.get('seed') != 0 or not result.get('metrics'):
            return None
        command = [sys.executable, TRAIN_TOOL, config, '--work-dir',
                   work_dir, '--cfg-options', 'randomness.seed=0']
        return weights, dict(result, command=shlex.join(command))

    @staticmethod
    def _released_path(t) -> str:
        return t.checkpoint if osp.isabs(t.checkpoint) else osp.join(
            REPO_ROOT, t.checkpoint)

    @classmethod
    def _released_teacher(cls, t) -> tuple:
        weights = cls._released_path(t)
        if not osp.isfile(weights):
            raise RunFailed(f'[teacher] the released weights of {t.name} '
                            f'are not at {weights}. '
                            f'{t.get("how", "Put the file there.")}')
        value = t.get('value')
        print(f'[teacher] released weights {weights} (not trained; '
              f'published score {value})', flush=True)
        return weights, value, file_sha256(weights)

    def _append(self, method, seed, config, value, teacher_value, result,
                teacher_sha, phase: str = 'test',
                extra: Optional[dict] = None, **fields):
        record = self._run_record()
        uses_teacher = method == 'teacher' or teacher_sha is not None
        history = result.get('val_history') or []
        key = self.suite.metric_key
        scale = float(self.suite.get('metric_scale', 1))
        val_values = [h['metrics'][key] * scale for h in history
                      if key in h.get('metrics', {})]
        record.update(method=method, seed=seed, config=config, value=value,
                      phase=phase, reference=self.reference(method),
                      config_sha256=self.config_sha(config),
                      teacher_id=self.run_teacher_id(config)
                      if uses_teacher else None,
                      teacher_sha256=teacher_sha,
                      teacher_value=teacher_value, iters=result['iters'],
                      train_s=result['train_s'],
                      train_cpu_s=result.get('train_cpu_s'),
                      other_cpu_cores=result.get('other_cpu_cores'),
                      s_per_iter=result['s_per_iter'],
                      peak_mem_mb=result['peak_mem_mb'],
                      weights_sha256=result.get('weights_sha256'),
                      side_metrics=self._side_metrics(result, method)
                      if phase == 'test' and result.get('metrics') else {},
                      budget=self._budget(config),
                      val_value=val_values[-1] if val_values else None,
                      val_curve=[[h['iter'], v] for h, v in zip(
                          [h for h in history
                           if key in h.get('metrics', {})], val_values)],
                      command=result['command'], finished_at=_now(),
                      extra=dict(metrics=result.get('metrics'),
                                 test_metrics=result.get('test_metrics'),
                                 best_val=max(val_values)
                                 if val_values else None,
                                 execution=result.get('execution'),
                                 resumed=result.get('resumed', False),
                                 no_predictions=result.get(
                                     'test_no_predictions'
                                     if self.validation_split
                                     and phase == 'test' else
                                     'no_predictions', False),
                                 benchmark_command=shlex.join(sys.argv),
                                 **(extra or {})),
                      **fields)
        append_record(self.records_path, record)

    def _append_failure(self, method, seed, config, options, err: RunFailed,
                        teacher_sha, phase: str = 'test', **fields):
        """Record a run that gave no result as failed (``status``,
        ``error``; ``value`` None): the table lists it and leaves it out
        of the statistics; a later run of the suite tries it again."""
        record = self._run_record()
        command = err.command or shlex.join(
            [sys.executable, TRAIN_TOOL, config, '--cfg-options',
             *_options({'randomness.seed': seed, **options})])
        record.update(method=method, seed=seed, config=config, value=None,
                      status='failed', error=err.reason, phase=phase,
                      reference=self.reference(method),
                      config_sha256=self.config_sha(config),
                      teacher_id=self.teacher_id()
                      if teacher_sha is not None else None,
                      teacher_sha256=teacher_sha, budget=self._budget(config),
                      command=command, finished_at=_now(),
                      extra=dict(benchmark_command=shlex.join(sys.argv)),
                      **fields)
        append_record(self.records_path, record)

    # -------------------------------------------------------------- plan
    def _method_options(self, method: str, teacher_weights: str) -> dict:
        config = self.methods.get(method) or self.all_methods[method]
        options = dict(self.cfg_options)
        if method in self.method_options:
            options = {**self.suite.get('cfg_options', {}),
                       **self.method_options[method]}
        if self._uses_teacher(config):
            options['model.teacher_checkpoint'] = teacher_weights
        options.update(self.extra_teacher_options(
            config, teacher_weights if self._uses_teacher(config) else None))
        return options

    def run(self) -> int:
        start = time.perf_counter()
        tuning = (f', tuning seed {self.tune_seed}'
                  if any(self.grids.get(m) for m in self.methods) else '')
        print(f'Suite {self.suite_path}{" (quick)" if self.quick else ""}: '
              f'{len(self.methods)} methods x seeds {self.seeds}{tuning}; '
              f'threads {self.threads or "not fixed"}, {self.jobs} '
              f'job(s) side by side; records -> {self.records_path}',
              flush=True)
        try:
            self.pretrained_shas = self.pretrain()
        except RunFailed as err:
            print(str(err), flush=True)
            print('A backbone pretraining failed; nothing else was run.')
            return 1
        try:
            teacher_weights, teacher_value, teacher_sha = self.teacher()
        except RunFailed as err:
            print(str(err), flush=True)
            print('The teacher could not be trained or found; no student '
                  'was run.')
            return 1
        for config in set(self.methods.values()):  # read once, up front
            self.config_sha(config)
            self._budget(config)
            self._uses_teacher(config)
        self._teacher = (teacher_weights, teacher_value, teacher_sha)
        try:  # the extra teachers and teacher-output caches some rows use
            self.prepare_extra_teachers()
            self.prepare_teacher_caches(teacher_weights)
        except RunFailed as err:
            print(str(err), flush=True)
            print('An extra teacher or a teacher-output cache could not be '
                  'made; no student was run.')
            return 1
        # 1. tuning: every grid point of every method, validation split; a
        # method sharing another's setting is not tuned, its source is
        # (even when only the sharing method was asked for)
        tuned_methods = [m for m in self.methods_to_train()
                         if m not in self.shared_tuning]
        tune_jobs = [(m, point) for m in tuned_methods
                     for point in self.grid_points(m)
                     if self.grids.get(m)]
        chosen: Dict[str, Optional[dict]] = {}
        sweeps: Dict[str, list] = {}
        if tune_jobs:
            print(f'Tuning {len(tune_jobs)} settings on the validation '
                  f'split (seed {self.tune_seed})', flush=True)
            outcomes = self._pool(
                [(f'[tune {n}/{len(tune_jobs)}] {m} {point}',
                  lambda m=m, point=point, label=None: self.tune_job(
                      m, point, label)) for n, (m, point) in
                 enumerate(tune_jobs, 1)])
            for (method, point), value in zip(tune_jobs, outcomes):
                sweeps.setdefault(method, []).append(
                    dict(options=point, value=value))
            for method, sweep in sweeps.items():
                finished = [s for s in sweep if s['value'] is not None]
                if not finished:
                    chosen[method] = None  # no setting trained: no choice
                    self.failures.append(f'{method} tuning')
                    continue
                # a setting that failed (e.g. diverged at a high lr) is
                # recorded as failed and is not a candidate
                best = max(finished, key=lambda s: s['value'])
                chosen[method] = best['options']
                print(f'[tuned] {method}: {best["options"]} (validation '
                      f'{self.suite.metric} {best["value"]:.2f}; '
                      + ', '.join(f'{s["options"]}: ' + (
                          'failed' if s['value'] is None
                          else f'{s["value"]:.2f}') for s in sweep) + ')',
                      flush=True)
        for method, source in self.shared_tuning.items():
            if method not in self.methods or source not in sweeps:
                continue
            chosen[method] = chosen.get(source)
            sweeps[method] = sweeps[source]
            if chosen[method] is None:
                self.failures.append(f'{method} (no setting: {source} '
                                     f'tuning failed)')
                print(f'[tuned] {method}: not run, the tuning of {source} '
                      f'failed', flush=True)
            else:
                print(f'[tuned] {method}: {chosen[method]} (the setting '
                      f'chosen for {source})', flush=True)
        # 2. the seeds, with the chosen settings, seed by seed
        seed_jobs = [(m, s) for s in self.seeds for m in self.methods
                     if chosen.get(m, {}) is not None]
        durations: List[float] = []
        self._pool([(f'[{n}/{len(seed_jobs)}] {m} seed {s}',
                     lambda m=m, s=s, label=None, n=n: self._seed_job(
                         m, s, chosen.get(m) or {}, sweeps.get(m), label,
                         durations, len(seed_jobs) - n))
                    for n, (m, s) in enumerate(seed_jobs, 1)])
        self.render()
        total = time.perf_counter() - start
        print(f'Leaderboard: {self.leaderboard_path}')
        print(f'Wall time: {total:.0f} s ({total / 60:.1f} min)')
        if self.failures:
            print(f'{len(self.failures)} runs failed: '
                  f'{", ".join(self.failures)}; re-run to retry them.')
            return 1
        return 0

    def _pool(self, tasks: list) -> list:
        """Run ``(label, fn)`` tasks, ``self.jobs`` at a time; their
        results in order. Ctrl-C kills the running trainings (finished
        runs are recorded) and re-raises."""
        if self.jobs == 1:
            return [fn(label=label) for label, fn in tasks]
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = [pool.submit(fn, label=label) for label, fn in tasks]
            try:
                return [f.result() for f in futures]
            except KeyboardInterrupt:
                self._stopping = True
                for f in futures:
                    f.cancel()
                for proc in list(self._procs):
                    _kill_group(proc)
                raise

    def tune_job(self, method: str, point: dict,
                 label: Optional[str] = None) -> Optional[float]:
        """Train ``method`` with the grid setting ``point`` (tuning seed,
        no test-split evaluation) unless recorded; its validation metric,
        or None when it failed."""
        label = label or f'[tune] {method} {point}'
        config = self.all_methods[method]
        weights, teacher_value, teacher_sha = self._teacher
        options = {**self._method_options(method, weights), **point}
        if self.validation_split:
            options['test_after_train'] = False
        uses_teacher = self._uses_teacher(config)
        tid = self.run_teacher_id(config) if uses_teacher else None
        done = self._recorded(method, self.tune_seed, config, options, tid,
                              phase='tune', include_failed=True)
        # --rerun retrains the selected methods, not the sources whose
        # setting a selected method shares
        rerun = self.rerun and method in self.methods
        if done and not rerun:
            if done[-1].get('status') == 'failed':
                # a tuning run fails the same way again (same seed and
                # setting): it stays a failed, non-candidate setting
                self._say(f'{label}: recorded as failed '
                          f'({done[-1].get("error")}), skipped')
                return None
            self._say(f'{label}: recorded (validation {self.suite.metric} '
                      f'{done[-1]["value"]:.2f}), skipped')
            return done[-1]['value']
        slug = '_'.join(f'{k.split(".")[-1]}{v}' for k, v in
                        sorted(point.items())) or 'default'
        work_dir = osp.join(self.work_root, 'benchmarks', self.name, method,
                            f'tune_seed{self.tune_seed}', slug)
        if rerun:
            shutil.rmtree(work_dir, ignore_errors=True)
        self._say(f'{label}: training {config}')
        try:
            result = self._train(config, work_dir, self.tune_seed, options,
                                 label, tid)
            value = self._metric(result, label, split='val')
        except RunFailed as err:
            self._say(str(err))
            self._append_failure(method, self.tune_seed, config, options, err,
                                 teacher_sha if uses_teacher else None,
                                 phase='tune', tuned=point)
            return None
        self._append(method, self.tune_seed, config, value, teacher_value
                     if uses_teacher else None, result,
                     teacher_sha if uses_teacher else None, phase='tune',
                     tuned=point)
        self._say(f'{label}: validation {self.suite.metric} {value:.2f}')
        return value

    def _seed_job(self, method, seed, point, sweep, label, durations, left):
        weights, teacher_value, teacher_sha = self._teacher
        config = self.methods[method]
        options = {**self._method_options(method, weights), **point}
        uses_teacher = self._uses_teacher(config)
        tuning = dict(seed=self.tune_seed, grid=self.grids.get(method),
                      sweep=sweep) if sweep else None
        if tuning and method in self.shared_tuning:
            tuning['shared_from'] = self.shared_tuning[method]
        self.run_job(method, seed, config, options,
                     teacher_sha if uses_teacher else None,
                     teacher_value, label, durations, left,
                     tuned=point or None, tuning=tuning)

    def run_job(self, method: str, seed: int, config: str, options: dict,
                run_sha: Optional[str], teacher_value: Optional[float],
                label: str, durations: List[float], left: int,
                tuned: Optional[dict] = None,
                tuning: Optional[dict] = None) -> None:
        """Train and record one (method, seed) unless it is recorded;
        a failed run is reported and listed in ``self.failures``.
        ``run_sha``: the sha256 of the teacher's weights the run uses
        (None for runs without a teacher)."""
        if self.validation_split:  # the record reports the test split
            options = {**options, 'test_after_train': True}
        tid = self.run_teacher_id(config) if run_sha is not None else None
        done = self._recorded(method, seed, config, options, tid)
        if done and not self.rerun:
            self._say(f'{label}: recorded ({self.suite.metric} '
                      f'{done[-1]["value"]:.2f}), skipped')
            return
        work_dir = osp.join(self.work_root, 'benchmarks', self.name,
                            method, f'seed{seed}')
        if self.rerun:  # train afresh, whatever the work_dir holds
            shutil.rmtree(work_dir, ignore_errors=True)
        self._say(f'{label}: training {config}')
        run_start = time.perf_counter()
        try:
            result = self._train(config, work_dir, seed, options, label, tid)
            value = self._metric(result, label)
        except RunFailed as err:
            self._say(str(err))
            self.failures.append(label)
            self._append_failure(method, seed, config, options, err,
                                 run_sha, tuned=tuned, tuning=tuning)
            return
        weights = osp.join(work_dir, 'weights.pth')
        if osp.isfile(weights):  # what transfer runs start from
            result['weights_sha256'] = file_sha256(weights)
        self._append(method, seed, config, value, teacher_value, result,
                     run_sha, tuned=tuned, tuning=tuning,
                     extra=self.cache_record_extra(config))
        durations.append(time.perf_counter() - run_start)
        eta = left * sum(durations) / len(durations) / self.jobs
        self._say(f'{label}: {self.suite.metric} {value:.2f} (train '
                  f'{result["train_s"]:.0f} s, run {durations[-1]:.0f} s; '
                  f'~{eta / 60:.1f} min left)')

    def _budget(self, config: str) -> Optional[str]:
        """The schedule a config states in ``budget`` (multi-stage and
        multi-generation methods), shown in the table."""
        key = ('budget', config)
        if key not in self._config_shas:
            path = osp.join(REPO_ROOT, config)
            self._config_shas[key] = Config.fromfile(path).get('budget') \
                if osp.isfile(path) else None
        return self._config_shas[key]

    def _uses_teacher(self, config: str) -> bool:
        key = ('uses_teacher', config)
        if key not in self._config_shas:
            model = Config.fromfile(osp.join(REPO_ROOT, config)).model
            self._config_shas[key] = 'teacher' in model
        return self._config_shas[key]

    def render(self) -> str:
        text = write_leaderboard(read_records(self.records_path),
                                 self.suite.task, self.suite.title,
                                 self.leaderboard_path, self.records_path,
                                 [tuple(c) for c in
                                  self.suite.get('comparisons', [])],
                                 self.shared_tuning, self.grids)
        print(text)
        return text
