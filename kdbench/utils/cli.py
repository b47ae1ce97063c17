"""Shared plumbing of the tools/ scripts: flags, config loading and user
errors."""
import argparse
import difflib
import glob
import os
import os.path as osp
import sys
from contextlib import contextmanager

from mmengine.config import Config, DictAction

from kdbench.distillers.model_refs import REPO_ROOT


class UserInputError(Exception):
    """Bad input whose message tells the user what to do."""


def load_config(path: str, cfg_options=None) -> Config:
    """``Config.fromfile`` with an actionable error for a wrong path."""
    if not osp.isfile(path):
        pool = [osp.relpath(p, REPO_ROOT) for p in glob.glob(
            osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)]
        close = difflib.get_close_matches(path, pool, n=5, cutoff=0.4)
        hint = ('; closest configs: ' + ', '.join(close)) if close else ''
        raise UserInputError(f'Config file {path!r} not found{hint}.')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """The flags tools/train.py and tools/test.py share with mmdet's:
    ``--cfg-options``, ``--launcher`` and ``--local_rank``."""
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value '
                        'pairs')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser: argparse.ArgumentParser, argv=None):
    """Parse ``argv``; export ``LOCAL_RANK`` as torch.distributed expects
    when the launcher did not."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def runner_config(args) -> Config:
    """The config of a train or test run: ``args.config`` with
    ``--cfg-options``, the launcher, and the work directory (``--work-dir``,
    else the config's, else ``./work_dirs/<config name>``), as mmdet."""
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


RUN_HOOKS = ('StudentExportHook', 'RunResultHook', 'RNGStateHook')


def ensure_run_hooks(cfg: Config) -> None:
    """Keep kdbench's run hooks (weights.pth, result.json, random states
    in checkpoints) when a config replaced ``custom_hooks`` (mmengine
    replaces lists)."""
    hooks = list(cfg.get('custom_hooks') or [])
    present = {str(h.get('type', '')).split('.')[-1] for h in hooks}
    for name in RUN_HOOKS:
        if name not in present:
            hooks.append(dict(type=f'kdbench.{name}'))
    cfg.custom_hooks = hooks


def user_error_types():
    """Exception types that mean bad input, reported without traceback."""
    from kdbench.compat import UntrustedCheckpointError
    from kdbench.distillers import (DistillerConfigError, ModelRefError,
                                    ShapeMismatchError)
    from kdbench.recorders import TapError
    return (UserInputError, DistillerConfigError, ModelRefError,
            ShapeMismatchError, TapError, UntrustedCheckpointError,
            FileNotFoundError)


@contextmanager
def report_user_errors():
    """Turn bad-input exceptions into one message and exit code 2.

    mmengine wraps errors raised while building a model in a new exception
    whose ``__cause__`` or message carries ours, so the chain is searched.
    Set ``KDBENCH_DEBUG=1`` to get the full traceback instead.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - filtered below
        if os.environ.get('KDBENCH_DEBUG') == '1':
            raise
        cause = _find_user_error(err, user_error_types())
        if cause is None:
            raise
        print(f'kdbench: error: {cause}', file=sys.stderr)
        sys.exit(2)


def _find_user_error(err, types):
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, types):
            return err
        err = err.__cause__ or err.__context__
    return None


def run_suite(suite: str, make_runner) -> int:
    """The body of tools/benchmark.py and tools/transfer.py: check that the
    suite file exists, build its runner (a ValueError becomes a user error)
    and run it; Ctrl-C ends with the hint that re-running continues
    (finished runs are recorded). Call inside ``report_user_errors()``."""
    if not osp.isfile(suite):
        raise UserInputError(f'Suite {suite!r} not found; suites live in '
                             f'configs/benchmarks/.')
    try:
        runner = make_runner()
    except ValueError as err:
        raise UserInputError(str(err)) from err
    try:
        return runner.run()
    except KeyboardInterrupt:
        print('Interrupted; finished runs are recorded. Re-run the same '
              'command to continue.', file=sys.stderr)
        return 130
