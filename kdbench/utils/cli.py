"""Shared plumbing of the tools/ scripts: flags, config loading and user
errors."""
import argparse
import difflib
import glob
import os
import os.path as osp
import sys
from contextlib import contextmanager
from typing import Optional

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
        check_top_level_keys(cfg, cfg_options)
        try:
            cfg.merge_from_dict(cfg_options)
        except (TypeError, KeyError, ValueError) as err:
            # e.g. a nested option under a key whose value is a string
            # (a config path): mmengine cannot merge a dict into it
            raise UserInputError(
                f'--cfg-options: cannot apply {sorted(cfg_options)}: '
                f'{str(err).splitlines()[0]}') from None
    return cfg


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` (``key=value`` pairs), with one line and
    exit 2 for an item that is not ``key=value`` (mmengine raises an
    unpacking ``ValueError`` traceback)."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values:
            key, sep, _ = item.partition('=')
            if not sep or not key.strip():
                print(f'kdbench: error: {option_string} item {item!r} is '
                      f'not key=value (e.g. train_cfg.max_epochs=3).',
                      file=sys.stderr)
                sys.exit(2)
        try:
            super().__call__(parser, namespace, values, option_string)
        except (ValueError, SyntaxError) as err:
            print(f'kdbench: error: {option_string}: cannot parse '
                  f'{values!r} ({err}).', file=sys.stderr)
            sys.exit(2)


#: top-level keys a run understands beyond those its config has: the
#: arguments of mmengine's Runner and kdbench's own run settings
EXTRA_TOP_LEVEL_KEYS = frozenset({'test_after_train', 'budget',
                                  'model_wrapper_cfg', 'runner_type',
                                  'custom_imports', 'find_unused_parameters'})


def check_top_level_keys(cfg: Config, cfg_options: Optional[dict]) -> None:
    """Refuse a ``--cfg-options`` key whose first part is neither in the
    config nor something the Runner reads (a typo would otherwise be
    merged and ignored), naming the closest keys."""
    import inspect

    from mmengine.runner import Runner
    known = set(cfg.keys()) | EXTRA_TOP_LEVEL_KEYS | set(
        inspect.signature(Runner.__init__).parameters)
    for key in cfg_options or {}:
        top = key.split('.')[0]
        if top not in known:
            close = difflib.get_close_matches(top, sorted(known), n=3)
            hint = f'; closest: {", ".join(close)}' if close else ''
            raise UserInputError(
                f'--cfg-options {key}: the config has no top-level key '
                f'{top!r}{hint}.')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """The flags tools/train.py and tools/test.py share with mmdet's:
    ``--cfg-options``, ``--launcher`` and ``--local_rank``."""
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
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


RUN_HOOKS = ('FiniteTrainingHook', 'StudentExportHook', 'RunResultHook',
             'RNGStateHook', 'CheckpointLedgerHook')


def ensure_run_hooks(cfg: Config) -> None:
    """Give every run kdbench's run hooks (non-finite training stops it,
    weights.pth, result.json, random states in checkpoints, checkpoints in
    the trust ledger): those the config lists keep their settings (e.g.
    ``FiniteTrainingHook(action='skip')``), the others are added, also
    when a config replaced ``custom_hooks`` (mmengine replaces lists)."""
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
    from kdbench.datasets.fashion_mnist import DataFileError
    from kdbench.engine.hooks import NonFiniteTrainingError
    from kdbench.leaderboard.records import RecordsError
    from kdbench.losses.arguments import LossArgumentError
    from kdbench.recorders import TapError
    return (UserInputError, DistillerConfigError, ModelRefError,
            ShapeMismatchError, TapError, UntrustedCheckpointError,
            LossArgumentError, NonFiniteTrainingError, DataFileError,
            RecordsError, FileNotFoundError)


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
        message = str(cause) if cause is not None else _translated(err)
        if message is None:
            raise
        print(f'kdbench: error: {message}', file=sys.stderr)
        sys.exit(2)


def _translated(err) -> Optional[str]:
    """The stack's own bad-input errors, in one line (error_translation)."""
    from kdbench.utils.error_translation import translate
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        message = translate(err)
        if message is not None:
            return message
        err = err.__cause__ or err.__context__
    return None


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
    from kdbench.utils.process import Busy, exclusive_lock
    try:
        runner = make_runner()
    except ValueError as err:
        raise UserInputError(str(err)) from err
    name = getattr(runner, 'name', osp.splitext(osp.basename(suite))[0])
    try:  # one runner per suite: a second would train the same work_dirs
        lock = exclusive_lock(osp.join(runner.work_root, 'benchmarks',
                                       '.locks', f'{name}.lock'),
                              f'Suite {suite} (work root {runner.work_root})')
    except Busy as err:
        raise UserInputError(str(err)) from None
    try:
        with lock:
            return runner.run()
    except KeyboardInterrupt:
        print('Interrupted; finished runs are recorded. Re-run the same '
              'command to continue.', file=sys.stderr)
        return 130
