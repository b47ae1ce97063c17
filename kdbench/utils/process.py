"""Process hygiene of the benchmark runners: one runner per suite, one
trainer per work directory, and no trainer outliving its runner.

* ``exclusive_lock(path, what)``: an ``flock`` on ``path`` held for as long
  as the returned file stays open (in this process or in a child it was
  passed to); the kernel drops it when the holders die, even by
  ``kill -9``, so a stale lock never blocks a re-run.
* ``die_with_parent()``: called first by tools/train.py; when a runner
  started it (``KDBENCH_PARENT_PID``), the kernel kills it as soon as that
  runner dies (Linux ``PR_SET_PDEATHSIG``).
"""
import ctypes
import fcntl
import os
import signal
import sys

PARENT_ENV = 'KDBENCH_PARENT_PID'
_PR_SET_PDEATHSIG = 1


class Busy(RuntimeError):
    """The lock is held by another live process."""


def exclusive_lock(path: str, what: str):
    """Open ``path`` and take an exclusive, non-blocking ``flock`` on it;
    ``Busy`` (naming ``what`` and the holder's pid) if another process
    holds it. Keep the returned file open to keep the lock."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    f = open(path, 'a+')
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or 'unknown'
        f.close()
        raise Busy(f'{what} is in use by another process (pid {holder}); '
                   f'wait for it to finish or stop it.') from None
    f.seek(0)
    f.truncate()
    f.write(str(os.getpid()))
    f.flush()
    return f


def die_with_parent() -> None:
    """If a kdbench runner started this process, die with it."""
    parent = os.environ.pop(PARENT_ENV, None)  # not for grandchildren
    if not parent or not sys.platform.startswith('linux'):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if str(os.getppid()) != parent:  # the runner died before the prctl
        os._exit(1)
