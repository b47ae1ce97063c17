"""Result records: one JSON object per finished run, in a JSON-lines file.

Records are only appended (one ``write`` of one line under an exclusive
lock, then fsync), never rewritten, so a killed runner leaves every finished
run recorded and no half line behind. Schema: DESIGN.md "Result records".
"""
import fcntl
import json
import os
import os.path as osp
import subprocess
from typing import Dict, Iterable, List

REQUIRED_KEYS = ('task', 'benchmark', 'dataset', 'method', 'config',
                 'teacher', 'student', 'seed', 'metric', 'value',
                 'teacher_value', 'iters', 'train_s', 's_per_iter',
                 'peak_mem_mb', 'commit', 'versions', 'command',
                 'finished_at')


class RecordsError(ValueError):
    """A records file that is not one JSON object per line."""


def read_records(path: str) -> List[dict]:
    if not osp.isfile(path):
        return []
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordsError(f'{path}:{number}: not a JSON record '
                                   f'({err}); fix or remove that line.'
                                   ) from None
            if not isinstance(record, dict):
                raise RecordsError(f'{path}:{number}: not a JSON object; '
                                   f'fix or remove that line.')
            records.append(record)
    return records


# a run recorded as failed has no measurements, but says why
FAILED_REQUIRED_KEYS = tuple(
    k for k in REQUIRED_KEYS if k not in (
        'teacher_value', 'iters', 'train_s', 's_per_iter', 'peak_mem_mb')
) + ('status', 'error')


def append_record(path: str, record: Dict) -> None:
    required = FAILED_REQUIRED_KEYS if record.get('status') == 'failed' \
        else REQUIRED_KEYS
    missing = [k for k in required if k not in record]
    if missing:
        raise ValueError(f'record lacks keys {missing}')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    line = json.dumps(record, sort_keys=True) + '\n'
    with open(path, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def git_commit(repo: str) -> str:
    """``HEAD`` of ``repo``, suffixed ``-dirty`` if tracked files changed."""
    try:
        commit = subprocess.check_output(
            ['git', 'rev-parse', 'HEAD'], cwd=repo, text=True,
            stderr=subprocess.DEVNULL).strip()
        dirty = subprocess.run(
            ['git', 'diff', '--quiet', 'HEAD', '--', 'kdbench', 'configs',
             'tools'], cwd=repo, stderr=subprocess.DEVNULL).returncode != 0
        return commit + ('-dirty' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def stack_versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    versions = {}
    for name in ('torch', 'torchvision', 'mmengine', 'mmcv', 'mmdet',
                 'mmsegmentation', 'mmpretrain', 'kdbench'):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return versions


def find(records: Iterable[dict], **keys) -> List[dict]:
    return [r for r in records
            if all(r.get(k) == v for k, v in keys.items())]
