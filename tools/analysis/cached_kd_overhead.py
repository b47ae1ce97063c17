"""Train-step cost of KD from a teacher-output cache, against the plain
student and online KD, measured in one run.

    python tools/analysis/cached_kd_overhead.py [CONFIG] [--iters 30]

CONFIG (default: the mini ``kd_cached`` config) is a
``kdbench.CachedTeacherDistiller`` config; its online counterpart is the
same model config as a ``kdbench.SingleTeacherDistiller``. A cache covering
the first epoch is built in a temporary directory when the config's does
not exist (with random teacher weights when the teacher has not been
trained: timings do not depend on its values). The cached KD step, the
plain student's step, the teacher's inference and the online KD step are
timed interleaved on the same batches (medians), and the script prints
cached / student (target <= 1.05) and online / (student + teacher).
"""
import argparse
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402

DEFAULT = 'configs/cls/kd/kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT)
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import kdbench  # noqa: F401
    from mmengine.optim import build_optim_wrapper
    from cache_teacher import build_cache
    from kdbench.teacher_cache import TeacherOutputCache
    from kdbench.utils.cli import load_config, report_user_errors
    from kdbench.utils.step_timing import (build_in_scope,
                                           measure_distiller,
                                           random_teacher_checkpoint)
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        random_teacher_checkpoint(cfg, {})
        try:
            TeacherOutputCache.open(cfg.model.teacher_cache)
        except ValueError:
            cfg.model.teacher_cache = osp.join(tempfile.mkdtemp(), 'cache')
            summary = build_cache(cfg, args.config, epochs=1)
            print(f'built a 1-epoch cache in {summary["seconds"]:.1f} s '
                  f'({summary["bytes"] / 2 ** 20:.2f} MiB)')
        online_cfg = cfg.model.to_dict()
        online_cfg.pop('teacher_cache')
        online_cfg.pop('cache_tap', None)
        online_cfg['type'] = 'kdbench.SingleTeacherDistiller'

        def online_step(distiller, optim):
            online = build_in_scope(cfg, online_cfg)
            online.train()
            online_optim = build_optim_wrapper(online,
                                               cfg.optim_wrapper.to_dict())
            return dict(online=lambda batch: online.train_step(
                batch, online_optim))
        medians = measure_distiller(cfg, args.iters, args.warmup,
                                    extra_steps=online_step)
    ms = {k: v * 1000 for k, v in medians.items()}
    print(f'config: {args.config}')
    for name, label in (('distill', 'cached KD train step'),
                        ('online', 'online KD train step'),
                        ('student', 'student train step'),
                        ('teacher', 'teacher inference')):
        print(f'{label:22s}: {ms[name]:8.1f} ms')
    cached = medians['distill'] / medians['student']
    online = medians['online'] / (medians['student'] + medians['teacher'])
    print(f'cached KD / student = {cached:.3f} (target <= 1.05); online KD '
          f'/ (student + teacher) = {online:.3f}; online / cached = '
          f'{medians["online"] / medians["distill"]:.2f} (medians of '
          f'{args.iters} interleaved rounds)')
    return cached


if __name__ == '__main__':
    main()
