# Mini detection suite, two-stage family: Faster R-CNN R-18 teacher (trained
# once, cached) -> Faster R-CNN R-18 at 1/4 width, 3 epochs on the 1000 mini COCO
# scenes, 5 seeds per method; COCO bbox mAP (x100) with AP50 beside it.
#   python tools/benchmark.py configs/benchmarks/det_frcnn_coco_mini.py
task = 'detection'
benchmark = 'mini'
dataset = 'coco'
metric = 'bbox_mAP'
metric_key = 'coco/bbox_mAP'
metric_scale = 100  # CocoMetric reports AP in [0, 1]
side_metrics = dict(AP50='coco/bbox_mAP_50')
# CocoMetric returns no metric when no box was predicted at all: AP 0
no_prediction_value = 0.0
title = 'Detection leaderboard'
leaderboard = 'leaderboards/detection.md'
# the protocol, and the tuning grid (Chen et al.'s constants, lr)
_base_ = ['./_base_/dense_protocol.py', './_base_/chen_tuning.py']
# validation on the holdout scenes (once, after training: tuning); the
# table's number is the test split (val2017), evaluated once
teacher = dict(name='Faster R-CNN R-18', seed=0,
               config='configs/det/teacher/faster-rcnn_r18_1xb8-12e_coco-mini.py')
student = 'Faster R-CNN R-18 w16'
_pair = 'faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_coco-mini.py'
methods = dict(
    baseline='configs/det/baseline/faster-rcnn_r18-w16_1xb8-3e_coco-mini.py',
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
