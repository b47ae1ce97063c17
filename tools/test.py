"""Evaluate a checkpoint (flags as mmdet's tools/test.py).

A distiller's ``weights.pth`` loads with the plain student config:
``python tools/test.py <student config> <work_dir>/weights.pth``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from kdbench.utils.cli import (add_runner_args,  # noqa: E402
                               parse_runner_args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the directory to save the file '
                        'containing evaluation metrics')
    parser.add_argument('--out', type=str, help='dump predictions to a '
                        'pickle file for offline evaluation')
    parser.add_argument('--show', action='store_true',
                        help='show prediction results')
    parser.add_argument('--show-dir', help='directory where painted images '
                        'will be saved')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='the interval of show (s)')
    add_runner_args(parser)
    return parse_runner_args(parser, argv)


def main(argv=None):
    from kdbench.utils.process import die_with_parent
    die_with_parent()  # started by a runner: do not outlive it
    args = parse_args(argv)
    from kdbench.utils.cli import report_user_errors
    with report_user_errors():
        run(args)


def run(args):
    import kdbench  # noqa: F401
    from kdbench.compat import (adapt_cfg_to_device, exit_finished_run,
                                shutdown_distributed)
    from kdbench.utils.cli import UserInputError, runner_config
    from mmengine.evaluator import DumpResults
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    cfg = runner_config(args)
    if not osp.isfile(args.checkpoint):
        raise UserInputError(f'Checkpoint {args.checkpoint!r} not found.')
    if args.show or args.show_dir:
        vis = cfg.get('default_hooks', {}).get('visualization')
        if vis is None:
            raise UserInputError('--show/--show-dir need a `visualization` '
                                 'hook in default_hooks of the config.')
        vis['show'] = args.show
        vis['wait_time'] = args.wait_time
        if cfg.get('default_scope') == 'mmpretrain':
            vis['enable'] = True  # mmpretrain's VisualizationHook
            if args.show_dir:
                vis['out_dir'] = args.show_dir
        else:
            vis['draw'] = True  # mmdet's / mmseg's hooks
            if args.show_dir:
                vis['test_out_dir'] = args.show_dir
    adapt_cfg_to_device(cfg)

    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    load_weights_strictly(runner, args.checkpoint)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise UserInputError('--out must name a .pkl file.')
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    if shutdown_distributed(runner):
        exit_finished_run()


def load_weights_strictly(runner, checkpoint: str) -> None:
    """Load ``checkpoint`` into the runner's model, refusing a file that does
    not fit it (mmengine's load_from only warns, and the evaluation would
    then report numbers of a partly random model)."""
    from mmengine.model import is_model_wrapper

    from kdbench.utils import state_dicts
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    loaded = state_dicts.load_weights_strictly(model, checkpoint)
    runner.logger.info(f'Loaded {loaded} tensors from {checkpoint}')


if __name__ == '__main__':
    main()
