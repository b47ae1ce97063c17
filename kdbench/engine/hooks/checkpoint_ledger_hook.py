"""Enter every checkpoint a run saves in the user's trust ledger
(kdbench.utils.trust_ledger), so that resuming it later loads the full
pickle while a file placed in the work directory by someone else does
not."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from kdbench.registry import HOOKS
from kdbench.utils import trust_ledger


@HOOKS.register_module()
class CheckpointLedgerHook(Hook):
    """Wrap ``runner.save_checkpoint`` so each file it writes is recorded
    with its sha256 (on the main process, which writes them)."""

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        save = runner.save_checkpoint
        if getattr(save, 'kdbench_ledger', False):
            return

        def save_and_record(out_dir, filename, *args, **kwargs):
            result = save(out_dir, filename, *args, **kwargs)
            path = osp.join(out_dir, filename)
            if is_main_process() and osp.isfile(path):
                trust_ledger.record(path)
            return result

        save_and_record.kdbench_ledger = True
        runner.save_checkpoint = save_and_record
