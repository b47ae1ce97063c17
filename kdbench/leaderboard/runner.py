"""Benchmark runner: teacher once, then every method × seed, then a table.

A suite is an mmengine config file (``configs/benchmarks/*.py``) naming the
task, the metric, the teacher config, the methods' configs and the seeds.
The runner

* first makes the backbone pretrainings the suite lists under
  ``pretrained`` (once, cached in ``work_dirs/pretrained/<config>``, where
  the mini detection / segmentation configs load them from); their weights'
  sha256 is part of every record's identity;
* trains the teacher once and caches it (``work_dirs/teachers/<config>``);
  later suites and re-runs reuse its ``weights.pth``;
* trains each (method, seed) as a separate ``tools/train.py`` process whose
  log goes to its work_dir, resuming a run that was killed part-way;
* appends one record per finished run to the records file and skips runs
  already recorded, so it can be killed and re-run at any time;
* renders the leaderboard markdown from all records of the task.
"""
import datetime
import hashlib
import json
import os
import os.path as osp
import shlex
import shutil
import subprocess
import sys
import time
from typing import List, Optional

from mmengine.config import Config

from kdbench.distillers.model_refs import REPO_ROOT
from .records import (append_record, find, git_commit, read_records,
                      stack_versions)
from .render import render_markdown

TRAIN_TOOL = osp.join(REPO_ROOT, 'tools', 'train.py')
# where model configs load pretrained backbones from (relative paths in the
# configs resolve against the repository root, where tools are run)
PRETRAINED_ROOT = osp.join(REPO_ROOT, 'work_dirs', 'pretrained')


class RunFailed(RuntimeError):
    pass


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def repo_relpath(path: str) -> str:
    """``path`` (absolute, or relative to the repository root) relative to
    the repository root: the form records name their suite in."""
    return osp.relpath(osp.join(REPO_ROOT, path), REPO_ROOT)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec='seconds')


def _options(options: dict) -> List[str]:
    return [f'{k}={v}' for k, v in options.items()]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


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


class BenchmarkRunner:
    """Run one suite (see module doc). ``quick`` uses the suite's ``quick``
    overrides (fewer seeds, shorter schedule) and separate caches/records."""

    def __init__(self, suite_path: str, quick: bool = False,
                 records_path: Optional[str] = None,
                 seeds: Optional[List[int]] = None,
                 methods: Optional[List[str]] = None,
                 work_root: str = 'work_dirs', rerun: bool = False,
                 suite: Optional[Config] = None, name: Optional[str] = None):
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
        self.methods = dict(self.suite.methods)
        if methods:
            unknown = [m for m in methods if m not in self.methods]
            if unknown:
                raise ValueError(f'Unknown methods {unknown}; the suite has '
                                 f'{list(self.methods)}.')
            self.methods = {m: self.methods[m] for m in methods}
        self.work_root = osp.abspath(work_root)
        quick_root = osp.join(work_root, 'benchmarks', 'quick')
        self.records_path = records_path or (
            osp.join(quick_root, 'records.jsonl') if quick else
            osp.join(REPO_ROOT, 'leaderboards', 'records.jsonl'))
        self.leaderboard_path = (
            osp.join(quick_root, osp.basename(self.suite.leaderboard))
            if quick else osp.join(REPO_ROOT, self.suite.leaderboard))
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

    # ------------------------------------------------------------ records
    def _base_record(self) -> dict:
        s = self.suite
        return dict(task=s.task, benchmark=s.benchmark + (
            '-quick' if self.quick else ''), dataset=s.dataset,
            teacher=s.teacher.name, student=s.student, metric=s.metric,
            suite=repo_relpath(osp.abspath(self.suite_path)),
            commit=self.commit, versions=self.versions)

    def _recorded(self, method: str, seed: int, config: str,
                  options: dict, teacher_sha: Optional[str] = None,
                  records_path: Optional[str] = None,
                  benchmark: Optional[str] = None) -> list:
        """Records of this very run: same method, seed, config file and
        resolved config content, options, and (for runs that use a teacher)
        the same teacher weights, and the same pretrained backbone weights."""
        base = self._base_record()
        wanted = _run_options(_options({'randomness.seed': seed, **options}))
        cfg_sha = self.config_sha(config)
        return [r for r in find(
            read_records(records_path or self.records_path),
            task=base['task'], benchmark=benchmark or base['benchmark'],
            dataset=base['dataset'], method=method, seed=seed, config=config,
            config_sha256=cfg_sha, teacher_sha256=teacher_sha,
            pretrained_sha256=self.pretrained_shas, source=self.source)
            if _run_options(_command_options(r['command'])) == wanted]

    def config_sha(self, config: str) -> str:
        """sha256 of ``config``'s resolved content (cached per run)."""
        if config not in self._config_shas:
            self._config_shas[config] = config_sha256(config)
        return self._config_shas[config]

    # --------------------------------------------------------------- runs
    def _train(self, config: str, work_dir: str, seed: int,
               extra_options: dict, label: str,
               teacher_sha: Optional[str] = None) -> dict:
        """Train (or resume, or reuse a finished run) and return its
        result.json content plus the command used."""
        options = {'randomness.seed': seed, **extra_options}
        command = [sys.executable, TRAIN_TOOL, config, '--work-dir', work_dir,
                   '--cfg-options', *_options(options)]
        # everything that defines the run: a finished or interrupted run in
        # work_dir is reused or resumed only if all of it matches
        spec = dict(config=config, options=options,
                    config_sha256=self.config_sha(config),
                    teacher_sha256=teacher_sha,
                    pretrained_sha256=self.pretrained_shas)
        if self.source is not None:
            spec['source'] = self.source
        self._claim_work_dir(work_dir, spec)
        result_file = osp.join(work_dir, 'result.json')
        if osp.isfile(result_file):
            with open(result_file) as f:
                result = json.load(f)
            if result.get('seed') == seed and result.get('metrics'):
                print(f'    reusing the finished run in {work_dir}')
                return dict(result, command=shlex.join(command))
        if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
            command.append('--resume')
            print(f'    resuming the interrupted run in {work_dir}')
        log_path = osp.join(work_dir, 'run.log')
        start = time.perf_counter()
        with open(log_path, 'a') as log:
            proc = subprocess.run(command, cwd=REPO_ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
        if proc.returncode != 0 or not osp.isfile(result_file):
            with open(log_path) as f:
                tail = ''.join(f.readlines()[-25:])
            raise RunFailed(f'{label} failed (exit {proc.returncode}); last '
                            f'lines of {log_path}:\n{tail}')
        with open(result_file) as f:
            result = json.load(f)
        result['wall_s'] = time.perf_counter() - start
        return dict(result, command=shlex.join(command))

    @staticmethod
    def _claim_work_dir(work_dir: str, spec: dict) -> None:
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
                print(f'    {work_dir} holds a run with other settings; '
                      f'starting it over', flush=True)
                shutil.rmtree(work_dir)
        os.makedirs(work_dir, exist_ok=True)
        with open(spec_file, 'w') as f:
            json.dump(spec, f, indent=1, sort_keys=True)

    def _metric(self, result: dict, label: str,
                key: Optional[str] = None) -> float:
        """The suite's metric (or side metric ``key``) of a finished run,
        times the suite's ``metric_scale`` (e.g. 100 for COCO's 0-1 AP).

        A metric missing from the evaluation fails the run, except when the
        suite gives ``no_prediction_value`` and the log shows the evaluator
        had nothing to score: mmdet's CocoMetric returns no bbox metric
        when the model predicted no box at all, which is an AP of 0, and is
        recorded as such (with ``no_predictions`` set in the record)."""
        key = key or self.suite.metric_key
        scale = float(self.suite.get('metric_scale', 1))
        if key in result['metrics']:
            return float(result['metrics'][key]) * scale
        empty = self.suite.get('no_prediction_value')
        if empty is not None and result.get('no_predictions'):
            return float(empty)
        raise RunFailed(f'{label}: metric {key!r} missing from the '
                        f'evaluation ({sorted(result["metrics"])}).')

    def _side_metrics(self, result: dict, label: str) -> dict:
        """Secondary metrics shown beside the main one (suite key
        ``side_metrics``: column name -> metric key)."""
        return {name: self._metric(result, label, key)
                for name, key in self.suite.get('side_metrics', {}).items()}

    def pretrain(self) -> Optional[dict]:
        """Make each backbone pretraining of the suite's ``pretrained`` list
        (seed 0; once: ``work_dirs/pretrained/<config>/weights.pth`` is the
        path the model configs load); return {config: sha256 of weights}."""
        configs = list(self.suite.get('pretrained', []))
        if not configs:
            return None
        shas = {}
        for config in configs:
            work_dir = osp.join(PRETRAINED_ROOT, _stem(config))
            weights = osp.join(work_dir, 'weights.pth')
            if osp.isfile(weights):
                print(f'[pretrained] cached: {weights}', flush=True)
            else:
                print(f'[pretrained] training {config} (cached afterwards in '
                      f'{work_dir})', flush=True)
                result = self._train(config, work_dir, 0, {},
                                     f'pretraining {config}')
                print(f'[pretrained] {config}: {result["metrics"]} '
                      f'({result["train_s"]:.0f} s)', flush=True)
            shas[config] = file_sha256(weights)
        return shas

    def teacher(self) -> tuple:
        """Train the teacher once (cached); return (weights path, score,
        sha256 of the weights).

        A suite whose teacher gives ``checkpoint`` (released weights, e.g.
        mmpretrain's ImageNet ResNet-50) uses that file as it is: nothing
        is trained, the score is the suite's stated ``value`` (or None),
        and a missing file stops the suite with ``how`` (how to get it)."""
        t = self.suite.teacher
        if t.get('checkpoint'):
            return self._released_teacher(t)
        # the teacher is shared by full and quick runs unless the suite's
        # quick settings change its schedule
        own = self.quick and bool(self.suite.get('quick', {}).get(
            'teacher_cfg_options'))
        work_dir = osp.join(self.work_root, 'teachers',
                            _stem(t.config) + ('_quick' if own else ''))
        weights = osp.join(work_dir, 'weights.pth')
        seed = int(t.get('seed', 0))

        def recorded_for(sha):
            found = self._recorded('teacher', seed, t.config,
                                   self.teacher_options, sha)
            if not found and self.quick and not own:
                # the shared teacher's record is in the full records file
                found = self._recorded(
                    'teacher', seed, t.config, self.teacher_options, sha,
                    osp.join(REPO_ROOT, 'leaderboards', 'records.jsonl'),
                    self.suite.benchmark)
            return found

        if osp.isfile(weights):
            sha = file_sha256(weights)
            recorded = recorded_for(sha)
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
        else:
            print(f'[teacher] training {t.config} (cached afterwards in '
                  f'{work_dir})', flush=True)
            result = self._train(t.config, work_dir, seed,
                                 self.teacher_options, 'teacher')
        value = self._metric(result, 'teacher')
        sha = file_sha256(weights)
        if not recorded_for(sha):  # an identical retrain is recorded once
            self._append('teacher', seed, t.config, value, value, result, sha)
        print(f'[teacher] {self.suite.metric} {value:.2f} '
              f'({result["train_s"]:.0f} s)', flush=True)
        return weights, value, sha

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
    def _released_teacher(t) -> tuple:
        weights = t.checkpoint if osp.isabs(t.checkpoint) else osp.join(
            REPO_ROOT, t.checkpoint)
        if not osp.isfile(weights):
            raise RunFailed(f'[teacher] the released weights of {t.name} '
                            f'are not at {weights}. '
                            f'{t.get("how", "Put the file there.")}')
        value = t.get('value')
        print(f'[teacher] released weights {weights} (not trained; '
              f'published score {value})', flush=True)
        return weights, value, file_sha256(weights)

    def _append(self, method, seed, config, value, teacher_value, result,
                teacher_sha):
        record = self._base_record()
        if self.pretrained_shas is not None:
            record['pretrained_sha256'] = self.pretrained_shas
        if self.source is not None:
            record['source'] = self.source
        record.update(method=method, seed=seed, config=config, value=value,
                      config_sha256=self.config_sha(config),
                      teacher_sha256=teacher_sha,
                      teacher_value=teacher_value, iters=result['iters'],
                      train_s=result['train_s'],
                      s_per_iter=result['s_per_iter'],
                      peak_mem_mb=result['peak_mem_mb'],
                      weights_sha256=result.get('weights_sha256'),
                      side_metrics=self._side_metrics(result, method),
                      budget=self._budget(config),
                      command=result['command'], finished_at=_now(),
                      extra=dict(metrics=result['metrics'],
                                 resumed=result.get('resumed', False),
                                 no_predictions=result.get(
                                     'no_predictions', False),
                                 benchmark_command=shlex.join(sys.argv)))
        append_record(self.records_path, record)

    def run(self) -> int:
        start = time.perf_counter()
        print(f'Suite {self.suite_path}{" (quick)" if self.quick else ""}: '
              f'{len(self.methods)} methods x seeds {self.seeds}; records '
              f'-> {self.records_path}', flush=True)
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
        jobs = [(m, s) for m in self.methods for s in self.seeds]
        durations = []
        for number, (method, seed) in enumerate(jobs, 1):
            config = self.methods[method]
            label = f'[{number}/{len(jobs)}] {method} seed {seed}'
            uses_teacher = self._uses_teacher(config)
            options = dict(self.cfg_options)
            if method in self.method_options:
                options = {**self.suite.get('cfg_options', {}),
                           **self.method_options[method]}
            if uses_teacher:
                options['model.teacher_checkpoint'] = teacher_weights
            self.run_job(method, seed, config, options,
                         teacher_sha if uses_teacher else None,
                         teacher_value, label, durations,
                         len(jobs) - number)
        self.render()
        total = time.perf_counter() - start
        print(f'Leaderboard: {self.leaderboard_path}')
        print(f'Wall time: {total:.0f} s ({total / 60:.1f} min)')
        if self.failures:
            print(f'{len(self.failures)} runs failed: '
                  f'{", ".join(self.failures)}; re-run to retry them.')
            return 1
        return 0

    def run_job(self, method: str, seed: int, config: str, options: dict,
                run_sha: Optional[str], teacher_value: Optional[float],
                label: str, durations: List[float], left: int) -> None:
        """Train and record one (method, seed) unless it is recorded;
        a failed run is reported and listed in ``self.failures``."""
        done = self._recorded(method, seed, config, options, run_sha)
        if done and not self.rerun:
            print(f'{label}: recorded ({self.suite.metric} '
                  f'{done[0]["value"]:.2f}), skipped', flush=True)
            return
        work_dir = osp.join(self.work_root, 'benchmarks', self.name,
                            method, f'seed{seed}')
        if self.rerun:  # train afresh, whatever the work_dir holds
            shutil.rmtree(work_dir, ignore_errors=True)
        print(f'{label}: training {config}', flush=True)
        run_start = time.perf_counter()
        try:
            result = self._train(config, work_dir, seed, options, label,
                                 run_sha)
            value = self._metric(result, label)
        except RunFailed as err:
            print(str(err), flush=True)
            self.failures.append(label)
            return
        weights = osp.join(work_dir, 'weights.pth')
        if osp.isfile(weights):  # what transfer runs start from
            result['weights_sha256'] = file_sha256(weights)
        self._append(method, seed, config, value, teacher_value, result,
                     run_sha)
        durations.append(time.perf_counter() - run_start)
        eta = left * sum(durations) / len(durations)
        print(f'{label}: {self.suite.metric} {value:.2f} (train '
              f'{result["train_s"]:.0f} s, run {durations[-1]:.0f} s; '
              f'~{eta / 60:.1f} min left)', flush=True)

    @staticmethod
    def _budget(config: str) -> Optional[str]:
        """The schedule a config states in ``budget`` (multi-stage and
        multi-generation methods), shown in the table."""
        path = osp.join(REPO_ROOT, config)
        return Config.fromfile(path).get('budget') if osp.isfile(path) \
            else None

    def _uses_teacher(self, config: str) -> bool:
        model = Config.fromfile(osp.join(REPO_ROOT, config)).model
        return 'teacher' in model

    def render(self) -> str:
        text = render_markdown(read_records(self.records_path),
                               self.suite.task, self.suite.title)
        os.makedirs(osp.dirname(self.leaderboard_path), exist_ok=True)
        with open(self.leaderboard_path, 'w') as f:
            f.write(text)
        print(text)
        return text
