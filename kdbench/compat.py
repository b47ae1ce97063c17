"""Version shims: the one place where kdbench adapts to its stack.

Tested stack: torch 2.14.1, mmengine 0.10.7, mmcv 2.1.0, mmdet 3.3.0,
mmsegmentation 1.2.2, mmpretrain 1.2.0 (see requirements/ and STACK notes).

1. Checkpoint loading under torch >= 2.6, whose ``torch.load`` defaults to
   ``weights_only=True``. mmengine calls ``torch.load`` without the argument,
   and its own training checkpoints pickle ``HistoryBuffer`` and numpy
   objects, so ``--resume`` and ``load_from`` fail. Policy:

   * every local file is first loaded with ``weights_only=True``; files that
     hold only a state_dict and plain metadata (what kdbench writes for
     teachers and students, see :func:`save_weights`) always load this way;
   * a full pickle is loaded only when it is a checkpoint one of this
     user's kdbench runs wrote, unchanged since (its sha256 is in the trust
     ledger, :mod:`kdbench.utils.trust_ledger`), the file the user named
     (``tools/train.py --resume PATH``, via :func:`trust_file`), or when the
     user opts in with ``KDBENCH_ALLOW_PICKLE=1``; otherwise the error says
     how to proceed. A directory is never trusted as a whole: a pickle
     placed in a work_dir is refused like any other.

2. ``torchrun`` on CPU: mmengine's ``_init_dist_pytorch`` calls
   ``torch.cuda.set_device`` (fails without a driver) and the runner wraps
   DDP with ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules.
   :func:`patch_dist_launcher` skips ``set_device`` and uses gloo without
   CUDA; :func:`adapt_cfg_to_device` sets a CPU-friendly model wrapper.

3. mmseg 1.2.2's ``cross_entropy`` with ``class_weight`` computes its
   average factor by indexing the class weights with every label, so a
   batch holding ignored pixels (255, e.g. the padding of rescaled crops)
   fails with ``IndexError`` (open-mmlab/mmsegmentation#3734, #3831).
   :func:`patch_mmseg_class_weighted_ce` (applied by ``import kdbench.seg``)
   gives it the same factor with ignored pixels weighted 0 under
   ``avg_non_ignore=True`` (torch's weighted mean) and 1 otherwise.
"""
import os
import os.path as osp
import pickle
from typing import Any, List, Optional

import torch

ALLOW_PICKLE_ENV = 'KDBENCH_ALLOW_PICKLE'
_TRUSTED_FILES: List[str] = []
_PATCHED = False


class UntrustedCheckpointError(RuntimeError):
    """A checkpoint needs full unpickling but its origin is not trusted."""


def trust_file(path: str) -> None:
    """Allow the full (pickled) checkpoint ``path`` -- this file only, as
    it is now -- to be loaded (the user named it, e.g. ``--resume PATH``)."""
    from kdbench.utils.hashing import file_sha256
    entry = (osp.realpath(path), file_sha256(path))
    if entry not in _TRUSTED_FILES:
        _TRUSTED_FILES.append(entry)


def is_trusted(filename: str) -> bool:
    """Opt-in, a file the user named, or a checkpoint of the user's own
    runs with the hash the run recorded."""
    from kdbench.utils.hashing import file_sha256
    from kdbench.utils.trust_ledger import is_recorded
    if os.environ.get(ALLOW_PICKLE_ENV, '') == '1':
        return True
    real = osp.realpath(filename)
    if any(real == path for path, _ in _TRUSTED_FILES) and \
            (real, file_sha256(real)) in _TRUSTED_FILES:
        return True
    return is_recorded(real)


def load_checkpoint_file(filename: str, map_location: Any = 'cpu',
                         weights_only: Optional[bool] = None) -> Any:
    """Load a local checkpoint file under kdbench's trust policy.

    Args:
        filename: path of the file.
        map_location: as for :func:`torch.load`.
        weights_only: ``True`` forces tensors-and-plain-data loading,
            ``False`` allows full unpickling (the caller vouches for the
            file), ``None`` applies the trust policy described above.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint file {filename!r} does not exist. Check the path; '
            'teacher checkpoints are written as <work_dir>/weights.pth at the '
            'end of training (tools/benchmark.py trains and caches them).')
    if weights_only is False:
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        if weights_only is None and is_trusted(filename):
            return torch.load(filename, map_location=map_location,
                              weights_only=False)
        if weights_only is None:
            opt_in = (f'or, if you trust the file, set {ALLOW_PICKLE_ENV}=1 '
                      f'(or teacher_weights_only=False for a teacher)')
        else:
            opt_in = ('or, if you trust the file, allow full loading where '
                      'weights_only=True was requested (e.g. '
                      'teacher_weights_only=False)')
        raise UntrustedCheckpointError(
            f'{filename!r} holds pickled Python objects besides tensors '
            f'(for example a full mmengine training checkpoint), and loading '
            f'it can run arbitrary code. Use a weights-only file instead (the '
            f'weights.pth kdbench writes at the end of training, or '
            f'tools/export_student.py), {opt_in}. Original error: '
            f'{str(err).splitlines()[0]}') from err


def save_weights(state_dict: dict, filename: str,
                 meta: Optional[dict] = None) -> None:
    """Write ``{'state_dict', 'meta'}`` that loads with weights_only=True.

    ``meta`` must hold only plain Python data (str, int, float, bool, None,
    lists and dicts of them).
    """
    cpu_state = {k: v.detach().cpu() for k, v in state_dict.items()}
    os.makedirs(osp.dirname(osp.abspath(filename)), exist_ok=True)
    tmp = filename + '.tmp'
    torch.save({'state_dict': cpu_state, 'meta': dict(meta or {})}, tmp)
    os.replace(tmp, filename)


def _local_loader(filename, map_location):
    return load_checkpoint_file(filename, map_location)


def _init_dist_pytorch_cpu_aware(backend, init_backend='torch', **kwargs):
    """mmengine's pytorch launcher init, without ``cuda.set_device`` on CPU."""
    import torch.distributed as torch_dist
    if torch.cuda.is_available():
        return _ORIGINAL_INIT_DIST_PYTORCH(backend, init_backend=init_backend,
                                           **kwargs)
    if backend == 'nccl':
        backend = 'gloo'
    torch_dist.init_process_group(backend=backend, **kwargs)


_ORIGINAL_INIT_DIST_PYTORCH = None


def shutdown_distributed(runner=None) -> bool:
    """Tear down a finished distributed run; True if there was one.

    gloo's worker threads hold work objects whose tensors reference
    Python objects; left to interpreter finalization, destroying them
    takes the GIL of a dying interpreter and aborts the process now and
    then ("terminate called without an active exception", exit -6)
    although training completed (pytorch/pytorch#190489, #179291). So:
    wait for every rank, drop the DDP wrapper (it keeps the group, and so
    its threads, alive past ``destroy_process_group``), destroy the groups
    and collect while the interpreter is whole. Call it only on success:
    destroying the group while another rank is stuck in a collective would
    hang instead of fail. The tools then end the process with
    :func:`exit_finished_run`.
    """
    import gc

    import torch.distributed as torch_dist
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return False
    torch_dist.barrier()
    if runner is not None:
        runner.model = None
    gc.collect()
    torch_dist.destroy_process_group()
    gc.collect()
    return True


def exit_finished_run(code: int = 0) -> None:
    """End a finished distributed run's process without interpreter
    finalization (where the abort above happens): every collective has
    finished and the groups are destroyed; logs and streams are flushed
    first."""
    import logging
    import sys
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def patch_dist_launcher() -> None:
    global _ORIGINAL_INIT_DIST_PYTORCH
    import mmengine.dist.utils as dist_utils
    if dist_utils._init_dist_pytorch is not _init_dist_pytorch_cpu_aware:
        _ORIGINAL_INIT_DIST_PYTORCH = dist_utils._init_dist_pytorch
        dist_utils._init_dist_pytorch = _init_dist_pytorch_cpu_aware


_ORIGINAL_MMSEG_CE = None


def _mmseg_cross_entropy_fixed(pred, label, weight=None, class_weight=None,
                               reduction='mean', avg_factor=None,
                               ignore_index=-100, avg_non_ignore=False):
    if class_weight is not None and avg_factor is None and \
            reduction == 'mean':
        ignored = label == ignore_index
        label_weights = class_weight[label.masked_fill(ignored, 0)]
        avg_factor = label_weights.masked_fill(
            ignored, 0.0 if avg_non_ignore else 1.0).sum()
    return _ORIGINAL_MMSEG_CE(pred, label, weight, class_weight, reduction,
                              avg_factor, ignore_index, avg_non_ignore)


def patch_mmseg_class_weighted_ce() -> None:
    """Shim 3 (module doc); idempotent. Affects losses built afterwards."""
    global _ORIGINAL_MMSEG_CE
    import mmseg.models.losses.cross_entropy_loss as ce_module
    if ce_module.cross_entropy is not _mmseg_cross_entropy_fixed:
        _ORIGINAL_MMSEG_CE = ce_module.cross_entropy
        ce_module.cross_entropy = _mmseg_cross_entropy_fixed


def patch_checkpoint_loading() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', loader=_local_loader,
                                     force=True)


def apply_patches() -> None:
    """Install every shim once (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    patch_checkpoint_loading()
    patch_dist_launcher()
    _PATCHED = True


def adapt_cfg_to_device(cfg) -> None:
    """Make a distributed config run on CPU-only machines (gloo, no ids)."""
    if torch.cuda.is_available() or cfg.get('launcher', 'none') == 'none':
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    # with a model_wrapper_cfg mmengine no longer reads the top-level key
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
