"""The benchmark runner's teachers beyond the suite's one: the extra
teachers of multi-teacher rows and the teacher-output caches of cached
rows.

* A suite's ``extra_teachers = dict(r50=dict(config=..., seed=0))`` are
  trained once each and cached in ``work_dirs/teachers/<config>/`` as the
  main teacher is (with the suite's teacher options), recorded as method
  ``teacher_<name>``; a method whose config has ``model.extra_teachers``
  gets ``model.extra_teachers.<name>.checkpoint`` pointed at them, and its
  records name all its teachers in ``teacher_id``.
* A method whose config is a ``kdbench.CachedTeacherDistiller`` gets a
  teacher-output cache built once from the suite's teacher weights
  (``tools/cache_teacher.py``, the suite's thread count), in
  ``work_dirs/teacher_cache/<config>_<teacher sha256[:12]>``, and
  ``model.teacher_cache`` pointed at it; the build time and size go into
  its records (``extra.teacher_cache``).
"""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

from mmengine.config import Config

from kdbench.distillers.model_refs import REPO_ROOT
from kdbench.utils.hashing import file_sha256

CACHE_TOOL = osp.join(REPO_ROOT, 'tools', 'cache_teacher.py')


class TeacherExtras:
    """Mixin of :class:`~kdbench.leaderboard.runner.BenchmarkRunner`."""

    def _model_cfg(self, config: str) -> dict:
        key = ('model_cfg', config)
        if key not in self._config_shas:
            self._config_shas[key] = Config.fromfile(
                osp.join(REPO_ROOT, config)).model.to_dict()
        return self._config_shas[key]

    def extra_teacher_names(self, config: str) -> List[str]:
        return sorted(self._model_cfg(config).get('extra_teachers') or {})

    def uses_teacher_cache(self, config: str) -> bool:
        return str(self._model_cfg(config).get('type', '')).split('.')[-1] \
            == 'CachedTeacherDistiller'

    def extra_teacher_id(self, name: str) -> str:
        spec = self._extra_spec(name)
        text = json.dumps(dict(config=self.config_sha(spec['config']),
                               seed=int(spec.get('seed', 0)),
                               options=self.teacher_options), sort_keys=True)
        return 'config:' + hashlib.sha256(text.encode()).hexdigest()

    def run_teacher_id(self, config: str) -> str:
        """The teacher identity of a run of ``config``: the suite's
        teacher, plus each extra teacher it uses."""
        names = self.extra_teacher_names(config)
        if not names:
            return self.teacher_id()
        return self.teacher_id() + '+' + ','.join(
            f'{n}={self.extra_teacher_id(n)}' for n in names)

    def _extra_spec(self, name: str) -> dict:
        specs = self.suite.get('extra_teachers') or {}
        if name not in specs:
            raise ValueError(f'A method uses extra teacher {name!r}, which '
                             f'the suite does not declare: add it to the '
                             f'suite\'s extra_teachers with its config.')
        return specs[name]

    # ----------------------------------------------------------- training
    def prepare_extra_teachers(self) -> Dict[str, str]:
        """Train (once, cached) every extra teacher a selected method
        uses; {name: weights path}."""
        names = sorted({n for c in self.methods_to_train().values()
                        for n in self.extra_teacher_names(c)})
        self._extra_weights = {}
        for name in names:
            spec = self._extra_spec(name)
            stem = osp.splitext(osp.basename(spec['config']))[0]
            work_dir = osp.join(self.work_root, 'teachers', stem)
            weights = osp.join(work_dir, 'weights.pth')
            method = f'teacher_{name}'
            found = self._extra_records(method, name)
            if osp.isfile(weights) and any(
                    r.get('teacher_sha256') == file_sha256(weights)
                    for r in found):
                print(f'[teacher {name}] cached: {weights}', flush=True)
            else:
                print(f'[teacher {name}] training {spec["config"]}',
                      flush=True)
                result = self._train(spec['config'], work_dir,
                                     int(spec.get('seed', 0)),
                                     self.teacher_run_options(),
                                     f'teacher {name}')
                value = self._metric(result, f'teacher {name}')
                sha = file_sha256(weights)
                self._append(method, int(spec.get('seed', 0)),
                             spec['config'], value, value, result, sha,
                             extra=dict(extra_teacher=name,
                                        extra_teacher_id=
                                        self.extra_teacher_id(name)))
                print(f'[teacher {name}] {self.suite.metric} {value:.2f}',
                      flush=True)
            self._extra_weights[name] = weights
        return self._extra_weights

    def _extra_records(self, method: str, name: str) -> list:
        from .records import find, read_records
        return [r for r in find(read_records(self.records_path),
                                method=method, task=self.suite.task)
                if (r.get('extra') or {}).get('extra_teacher_id') ==
                self.extra_teacher_id(name)]

    def teacher_cache_path(self, config: str, teacher_weights: str,
                           options: dict) -> str:
        """Where the cache of ``config`` lives: keyed by the teacher's
        weights and the options the runs give the config (a suite's data
        options, e.g. --quick's, make another cache)."""
        stem = osp.splitext(osp.basename(config))[0]
        text = json.dumps(options, sort_keys=True, default=str)
        return osp.join(self.work_root, 'teacher_cache',
                        f'{stem}_{file_sha256(teacher_weights)[:12]}_'
                        f'{hashlib.sha256(text.encode()).hexdigest()[:8]}')

    def prepare_teacher_caches(self, teacher_weights: str) -> None:
        """Build (once) the cache of every selected cached-teacher method,
        with the options its runs get (so the cache holds their data)."""
        from kdbench.teacher_cache import TeacherOutputCache
        self._cache_info = getattr(self, '_cache_info', {})
        for method, config in sorted(self.methods_to_train().items()):
            if not self.uses_teacher_cache(config):
                continue
            options = {k: v for k, v in self._method_options(
                method, teacher_weights).items()
                if k not in ('model.teacher_cache', 'randomness.seed')}
            path = self.teacher_cache_path(config, teacher_weights, options)
            try:
                TeacherOutputCache.open(path)
                info = self._cache_summary(path)
                print(f'[teacher cache] cached: {path}', flush=True)
            except ValueError:
                from .runner import _options
                command = [sys.executable, CACHE_TOOL, config,
                           '--cfg-options', *_options(
                               {**options, 'model.teacher_cache': path})]
                print(f'[teacher cache] building {path}', flush=True)
                start = time.perf_counter()
                proc = subprocess.run(command, cwd=REPO_ROOT, env=self._env(),
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    from .runner import RunFailed
                    raise RunFailed(f'[teacher cache] {config}: '
                                    f'{proc.stderr.strip()[-1500:]}')
                info = self._cache_summary(path)
                info['build_s'] = time.perf_counter() - start
                with open(osp.join(path, 'build.json'), 'w') as f:
                    json.dump(info, f)
                print(f'[teacher cache] {info["mib"]:.2f} MiB in '
                      f'{info["build_s"]:.1f} s', flush=True)
            self._cache_info[config] = dict(path=path, **info)

    @staticmethod
    def _cache_summary(path: str) -> dict:
        info = dict(mib=sum(osp.getsize(osp.join(path, f))
                            for f in os.listdir(path)
                            if f.endswith('.npy')) / 2 ** 20)
        built = osp.join(path, 'build.json')
        if osp.isfile(built):
            with open(built) as f:
                info['build_s'] = json.load(f).get('build_s')
        return info

    def extra_teacher_options(self, config: str,
                              teacher_weights: Optional[str]) -> dict:
        """Options pointing a run at its extra teachers and its cache."""
        options = {}
        for name in self.extra_teacher_names(config):
            options[f'model.extra_teachers.{name}.checkpoint'] = \
                self._extra_weights[name]
        info = getattr(self, '_cache_info', {}).get(config)
        if info is not None:
            options['model.teacher_cache'] = info['path']
        return options

    def cache_record_extra(self, config: str) -> dict:
        info = getattr(self, '_cache_info', {}).get(config)
        return dict(teacher_cache=info) if info else {}


__all__ = ['TeacherExtras']
