"""Train a model or a distiller (flags as mmdet's tools/train.py)."""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from kdbench.utils.cli import (add_runner_args,  # noqa: E402
                               parse_runner_args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train a student, teacher or distiller')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='enable automatic-mixed-precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='enable automatically scaling LR.')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or, without a path, from the '
        'latest checkpoint in the work directory')
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
    import kdbench  # noqa: F401  (registries and version shims)
    from kdbench.compat import (adapt_cfg_to_device, exit_finished_run,
                                shutdown_distributed, trust_file)
    from kdbench.utils.cli import (UserInputError, ensure_run_hooks,
                                   runner_config)
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    cfg = runner_config(args)
    if args.amp:
        import torch
        if not torch.cuda.is_available():
            raise UserInputError('--amp needs a GPU (mmengine\'s '
                                 'AmpOptimWrapper); drop it on this machine.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise UserInputError('--auto-scale-lr needs auto_scale_lr = '
                                 'dict(base_batch_size=...) in the config.')
        cfg.auto_scale_lr.enable = True
    # checkpoints this user's runs wrote (the trust ledger) and an explicitly
    # named resume file may be full pickles; everything else loads
    # weights-only (kdbench.compat)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise UserInputError(f'--resume: no checkpoint at {args.resume!r}')
        trust_file(args.resume)  # this file, as it is now
        cfg.resume = True
        cfg.load_from = args.resume
    ensure_run_hooks(cfg)
    adapt_cfg_to_device(cfg)

    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    runner.train()
    if shutdown_distributed(runner):
        exit_finished_run()


if __name__ == '__main__':
    main()
