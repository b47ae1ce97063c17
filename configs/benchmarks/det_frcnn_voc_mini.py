# Mini detection suite, two-stage family: Faster R-CNN R-18 teacher (trained
# once, cached) -> Faster R-CNN R-18 at 1/4 width, 3 epochs on the 1200 mini VOC 07+12
# scenes, 5 seeds per method; VOC07 mAP at IoU 0.5 (11-point), x100.
#   python tools/benchmark.py configs/benchmarks/det_frcnn_voc_mini.py
task = 'detection'
benchmark = 'mini'
dataset = 'voc0712'
metric = 'mAP'
metric_key = 'pascal_voc/mAP'
metric_scale = 100  # VOCMetric reports mAP in [0, 1]
title = 'Detection leaderboard'
leaderboard = 'leaderboards/detection.md'
# the protocol, and the tuning grid (Chen et al.'s constants, lr)
_base_ = ['./_base_/dense_protocol.py', './_base_/chen_tuning.py']
# validation on the holdout scenes (once, after training: tuning); the
# table's number is the test split (VOC2007 test), evaluated once
teacher = dict(name='Faster R-CNN R-18', seed=0,
               config='configs/det/teacher/faster-rcnn_r18_1xb8-12e_voc-mini.py')
student = 'Faster R-CNN R-18 w16'
_pair = 'faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_voc-mini.py'
methods = dict(
    baseline='configs/det/baseline/faster-rcnn_r18-w16_1xb8-3e_voc-mini.py',
    chen='configs/det/chen/chen_' + _pair,
    chen_cls='configs/det/chen/chen-cls_' + _pair,
    chen_reg='configs/det/chen/chen-reg_' + _pair,
    chen_hint='configs/det/chen/chen-hint_' + _pair,
)
# --quick: one seed, 1 epoch instead of 3, same (cached) teacher; records
# and table go under work_dirs/benchmarks/quick, not leaderboards/.
quick = dict(
    seeds=[0],
    tuning=dict(grid={}, method_grids={}),
    cfg_options={'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
                 'param_scheduler.1.end': 1},
)
