"""Measure the overhead of a distiller's train step, in one run.

    python tools/analysis/distill_overhead.py CONFIG [--iters 30]

Prints  distill_step / (student_step + teacher_inference), where
* distill_step: the distiller's ``train_step`` (teacher forward under
  no_grad + student forward/backward + distillation losses + update);
* student_step: the plain student's ``train_step`` on the same batch;
* teacher_inference: the teacher's forward in eval mode under no_grad.
The three are timed interleaved, on the same batches, and the medians are
compared, so machine drift affects all of them alike. Target: <= 1.05.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmengine.config import DictAction  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a distiller config')
    parser.add_argument('--iters', type=int, default=30,
                        help='timed rounds (each times all three steps)')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--random-teacher', action='store_true',
                        help='use random teacher weights when the teacher '
                        'checkpoint has not been trained yet (timing only)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import kdbench  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    from kdbench.utils.step_timing import (measure_distiller,
                                           random_teacher_checkpoint)
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        if args.random_teacher:
            random_teacher_checkpoint(cfg, {})
        medians = measure_distiller(cfg, args.iters, args.warmup)
    ratio = medians['distill'] / (medians['student'] + medians['teacher'])
    print(f'config: {args.config}')
    print(f'distill train step  : {medians["distill"] * 1000:8.1f} ms')
    print(f'student train step  : {medians["student"] * 1000:8.1f} ms')
    print(f'teacher inference   : {medians["teacher"] * 1000:8.1f} ms')
    print(f'overhead ratio distill / (student + teacher) = {ratio:.3f} '
          f'(target <= 1.05; medians of {args.iters} interleaved rounds)')
    return ratio


if __name__ == '__main__':
    main()
