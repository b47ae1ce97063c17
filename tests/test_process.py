"""kdbench.utils.process: the locks the runner takes (one runner per
suite, one trainer per work_dir) and the trainer dying with its runner."""
import os
import signal
import subprocess
import sys
import time

import pytest

from kdbench.utils.process import PARENT_ENV, Busy, exclusive_lock

from conftest import REPO, wait_until

HOLD = ('import sys, time; sys.path.insert(0, {repo!r}); '
        'from kdbench.utils.process import exclusive_lock; '
        'f = exclusive_lock({path!r}, "x"); print("held", flush=True); '
        'time.sleep(60)')


def _holder(path):
    proc = subprocess.Popen([sys.executable, '-c',
                             HOLD.format(repo=REPO, path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'held'
    return proc


def test_lock_is_exclusive_names_its_holder_and_dies_with_it(tmp_path):
    path = tmp_path / 'work_dir.lock'
    holder = _holder(path)
    try:
        with pytest.raises(Busy, match=rf'the suite is in use by another '
                           rf'process \(pid {holder.pid}\)'):
            exclusive_lock(str(path), 'the suite')
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel dropped the lock with its holder: no stale lock
    with exclusive_lock(str(path), 'the suite'):
        assert open(path).read() == str(os.getpid())


def test_lock_passed_to_a_child_is_held_while_the_child_lives(tmp_path):
    """The runner passes its work_dir lock to the trainer: the work_dir
    stays locked while the trainer lives, even if the runner let go."""
    path = str(tmp_path / 'w.lock')
    lock = exclusive_lock(path, 'w')
    child = subprocess.Popen([sys.executable, '-c', 'import time; '
                              'time.sleep(60)'], pass_fds=(lock.fileno(),))
    lock.close()
    try:
        with pytest.raises(Busy):
            exclusive_lock(path, 'w')
    finally:
        child.kill()
        child.wait()
    exclusive_lock(path, 'w').close()


def test_trainer_dies_with_its_runner(tmp_path):
    """A process started the way the runner starts tools/train.py
    (KDBENCH_PARENT_PID, die_with_parent first) is killed by the kernel
    when its parent dies, even by SIGKILL."""
    pid_file = tmp_path / 'child.pid'
    child_code = ('import os, sys, time; sys.path.insert(0, {repo!r}); '
                  'from kdbench.utils.process import die_with_parent; '
                  'die_with_parent(); '
                  'assert {env!r} not in os.environ; '
                  'open({pid!r}, "w").write(str(os.getpid())); '
                  'time.sleep(60)').format(repo=REPO, env=PARENT_ENV,
                                           pid=str(pid_file))
    parent_code = ('import os, subprocess, sys, time; '
                   'env = dict(os.environ, {env}=str(os.getpid())); '
                   'subprocess.Popen([sys.executable, "-c", {child!r}], '
                   'env=env); time.sleep(60)').format(env=PARENT_ENV,
                                                      child=child_code)
    parent = subprocess.Popen([sys.executable, '-c', parent_code])
    deadline = time.time() + 60
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.time() < deadline and parent.poll() is None
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until(lambda: not _alive(child), 10, 'the child outlived its parent')


def _alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split()[2] != 'Z'
    except FileNotFoundError:
        return False
