"""Test helper (imported by a run through ``custom_imports``): holds a run
after a chosen epoch's checkpoint is written, so a test can kill it at a
known point instead of racing a timer against the training speed."""
import os
import time

from mmengine.hooks import Hook

from kdbench.registry import HOOKS


@HOOKS.register_module()
class PauseAfterEpoch(Hook):
    """After ``epoch`` (1-based) and its checkpoint, write ``marker`` and
    wait to be killed; give up after ``timeout`` seconds (exit 3), so an
    abandoned run never lingers."""

    priority = 'LOWEST'  # after CheckpointHook (VERY_LOW) saved the epoch

    def __init__(self, epoch, marker, timeout=600):
        self.epoch, self.marker, self.timeout = epoch, marker, timeout

    def after_train_epoch(self, runner):
        if runner.epoch + 1 != self.epoch:
            return
        with open(self.marker, 'w') as f:
            f.write(str(os.getpid()))
        time.sleep(self.timeout)
        os._exit(3)
