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
import statistics
import sys
import tempfile
import time

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


def measure(cfg, iters: int, warmup: int) -> dict:
    import torch
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner

    from kdbench.registry import MODELS
    DefaultScope.get_instance('distill_overhead',
                              scope_name=cfg.get('default_scope', 'mmengine'))
    model_cfg = cfg.model.to_dict()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor',
                             cfg.data_preprocessor.to_dict())
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    distiller = MODELS.build(model_cfg).to(device)
    student = distiller.student
    teacher = distiller.teacher
    distiller.train()

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()
    loader = Runner.build_dataloader(cfg.train_dataloader)
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == 4:
            break
    optim_cfg = cfg.optim_wrapper.to_dict()
    distill_optim = build_optim_wrapper(distiller, optim_cfg)

    def distill_step(batch):
        distiller.train_step(batch, distill_optim)

    def student_step(batch):
        # the student's own step: its loss only, through the distiller's
        # optimizer (it holds the student's parameters too)
        data = student.data_preprocessor(batch, True)
        losses = student(**data, mode='loss')
        loss, _ = student.parse_losses(losses)
        distill_optim.update_params(loss)

    def teacher_inference(batch):
        data = distiller.data_preprocessor(batch, True)
        with torch.no_grad():
            teacher(data['inputs'], data['data_samples'], mode='tensor')

    steps = dict(distill=distill_step, student=student_step,
                 teacher=teacher_inference)
    times = {name: [] for name in steps}
    for round_ in range(warmup + iters):
        batch = batches[round_ % len(batches)]
        for name, step in steps.items():
            sync()
            start = time.perf_counter()
            step(batch)
            sync()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv=None):
    args = parse_args(argv)
    import kdbench  # noqa: F401
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    from kdbench.utils.cli import load_config, report_user_errors
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        if args.random_teacher and not osp.isfile(
                cfg.model.get('teacher_checkpoint') or ''):
            teacher = build_model(cfg.model.teacher, 'teacher',
                                  default_preprocessor=cfg.get(
                                      'data_preprocessor'))
            path = osp.join(tempfile.mkdtemp(), 'random_teacher.pth')
            save_weights(teacher.state_dict(), path)
            cfg.model.teacher_checkpoint = path
            print('Using random teacher weights (timing only).')
        medians = measure(cfg, args.iters, args.warmup)
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
