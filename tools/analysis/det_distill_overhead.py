"""Step times of the detection distillers, measured in one run.

    python tools/analysis/det_distill_overhead.py [--iters 20] [--random-teacher]

Prints, on the mini COCO data and the mini GFL / Faster R-CNN pairs:

(a) kdbench ``ld`` train step / mmdet's ``KnowledgeDistillationSingleStageDetector``
    (``LDHead``, same LD loss) train step: same student and teacher
    architectures, same initial student weights, same teacher weights, same
    batches, timed interleaved (medians). Target <= 1.0.
(b) for each detection distiller config: distill train step / (student
    train step + teacher inference), as tools/analysis/distill_overhead.py.
    Target <= 1.05.

Teachers come from the configs' ``teacher_checkpoint`` (the cached mini
teachers of tools/benchmark.py); ``--random-teacher`` uses random weights
of the teacher architecture where that file does not exist yet (the
timings do not depend on the teacher's values).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

_PAIR_GFL = 'gfl_r18_gfl_r18-w16_1xb8-4e_coco-mini.py'
_PAIR_FRCNN = 'faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_coco-mini.py'
LD_CONFIG = 'configs/det/ld/ld_' + _PAIR_GFL
CONFIGS = [
    LD_CONFIG,
    'configs/det/ld/ld-vlr_' + _PAIR_GFL,
    'configs/det/ld/ld-vlr-no-cls-kd_' + _PAIR_GFL,
    'configs/det/cls_kd/cls-kd_' + _PAIR_GFL,
    'configs/det/feat_imit/feat-imit_' + _PAIR_GFL,
    'configs/det/cwd/cwd_' + _PAIR_GFL,
    'configs/det/pkd/pkd_' + _PAIR_GFL,
    'configs/det/mgd/mgd_' + _PAIR_GFL,
    'configs/det/chen/chen_' + _PAIR_FRCNN,
    'configs/det/chen/chen-cls_' + _PAIR_FRCNN,
    'configs/det/chen/chen-reg_' + _PAIR_FRCNN,
    'configs/det/chen/chen-hint_' + _PAIR_FRCNN,
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=20,
                        help='timed rounds per comparison')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--configs', nargs='+', default=CONFIGS,
                        help='distiller configs for (b)')
    parser.add_argument('--random-teacher', action='store_true',
                        help='random teacher weights where the checkpoint '
                        'does not exist yet (timing only)')
    return parser.parse_args(argv)


def ld_versus_mmdet(cfg, iters: int, warmup: int) -> dict:
    """(a): medians of our LD step and mmdet's LD detector step."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from kdbench.utils.step_timing import (build_in_scope, first_batches,
                                           time_interleaved)
    ours = build_in_scope(cfg, cfg.model.to_dict())
    student_cfg = Config.fromfile(cfg.model.student).model.to_dict()
    ld = cfg.model.ld
    student_cfg.update(
        type='mmdet.KnowledgeDistillationSingleStageDetector',
        teacher_config=cfg.model.teacher,
        teacher_ckpt=cfg.model.teacher_checkpoint)
    student_cfg['bbox_head'].update(type='LDHead', loss_ld=dict(
        type='KnowledgeDistillationKLDivLoss', loss_weight=ld.loss_weight,
        T=ld.tau))
    theirs = build_in_scope(cfg, student_cfg)
    theirs.load_state_dict(ours.student.state_dict(), strict=False)
    ours.train()
    theirs.train()
    optim_cfg = cfg.optim_wrapper.to_dict()
    ours_optim = build_optim_wrapper(ours, optim_cfg)
    theirs_optim = build_optim_wrapper(theirs, optim_cfg)
    steps = dict(
        kdbench=lambda batch: ours.train_step(batch, ours_optim),
        mmdet=lambda batch: theirs.train_step(batch, theirs_optim))
    torch.manual_seed(0)
    return time_interleaved(steps, first_batches(cfg), iters, warmup)


def main(argv=None):
    args = parse_args(argv)
    import torch
    import kdbench  # noqa: F401
    import kdbench.det  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    from kdbench.utils.step_timing import (measure_distiller,
                                           random_teacher_checkpoint)
    torch.manual_seed(0)
    cache = {}
    ratios = {}
    with report_user_errors():
        cfg = load_config(LD_CONFIG)
        if args.random_teacher:
            random_teacher_checkpoint(cfg, cache)
        medians = ld_versus_mmdet(cfg, args.iters, args.warmup)
        ratios['ld_vs_mmdet'] = medians['kdbench'] / medians['mmdet']
        print(f'(a) LD train step: kdbench {medians["kdbench"] * 1000:.1f} '
              f'ms, mmdet KnowledgeDistillationSingleStageDetector '
              f'{medians["mmdet"] * 1000:.1f} ms; ratio '
              f'{ratios["ld_vs_mmdet"]:.3f} (target <= 1.0)', flush=True)
        print('(b) distill step / (student step + teacher inference), '
              'target <= 1.05:')
        for config in args.configs:
            cfg = load_config(config)
            if args.random_teacher:
                random_teacher_checkpoint(cfg, cache)
            m = measure_distiller(cfg, args.iters, args.warmup)
            ratio = m['distill'] / (m['student'] + m['teacher'])
            ratios[config] = ratio
            print(f'    {osp.basename(config)}: distill '
                  f'{m["distill"] * 1000:.1f} ms, student '
                  f'{m["student"] * 1000:.1f} ms, teacher '
                  f'{m["teacher"] * 1000:.1f} ms; ratio {ratio:.3f}',
                  flush=True)
    return ratios


if __name__ == '__main__':
    main()
