"""The checkpoints this user's own runs wrote, by path and sha256.

Full (pickled) mmengine checkpoints can run code when loaded. kdbench loads
one only when the user opts in, or when it is a file a kdbench run of this
user wrote and nobody changed since: every checkpoint a run saves is
entered here (``record``), and loading checks the file's sha256 against the
entry (``is_recorded``). A pickle dropped into a work directory, or an
entry's file replaced afterwards, is not trusted.

The ledger lives in the user's cache directory (``KDBENCH_TRUST_LEDGER``
overrides the path), outside every work directory, so that writing into a
work directory is not enough to get a file trusted.
"""
import json
import os
import os.path as osp

from kdbench.utils.hashing import file_sha256

LEDGER_ENV = 'KDBENCH_TRUST_LEDGER'


def ledger_path() -> str:
    path = os.environ.get(LEDGER_ENV)
    if path:
        return path
    cache = os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache')
    return osp.join(cache, 'kdbench', 'trusted_checkpoints.jsonl')


def record(path: str) -> None:
    """Enter ``path`` (just written by this user's run) with its hash."""
    ledger = ledger_path()
    os.makedirs(osp.dirname(ledger), exist_ok=True)
    line = json.dumps(dict(path=osp.realpath(path),
                           sha256=file_sha256(path))) + '\n'
    # one short O_APPEND write: concurrent runs do not interleave lines
    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def is_recorded(path: str) -> bool:
    """Whether ``path`` is a checkpoint a run recorded, unchanged since."""
    ledger = ledger_path()
    if not osp.isfile(ledger):
        return False
    real = osp.realpath(path)
    hashes = set()
    with open(ledger) as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn line: ignore it, never trust through it
            if isinstance(entry, dict) and entry.get('path') == real:
                hashes.add(entry.get('sha256'))
    return bool(hashes) and file_sha256(real) in hashes
