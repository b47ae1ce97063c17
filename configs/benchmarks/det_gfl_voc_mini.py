# Mini detection suite, dense-detector family: GFL R-18 teacher (trained
# once, cached) -> GFL R-18 at 1/4 width, 4 epochs on the 1200 mini VOC 07+12
# scenes, 2 seeds per method; VOC07 mAP at IoU 0.5 (11-point), x100.
#   python tools/benchmark.py configs/benchmarks/det_gfl_voc_mini.py
task = 'detection'
benchmark = 'mini'
dataset = 'voc0712'
metric = 'mAP'
metric_key = 'pascal_voc/mAP'
metric_scale = 100  # VOCMetric reports mAP in [0, 1]
title = 'Detection leaderboard'
leaderboard = 'leaderboards/detection.md'
# validation on the holdout scenes (val loop, learning curves, tuning); the
# table's number is the test split (VOC2007 test), evaluated once
validation_split = True
seeds = [0, 1]
# backbone pretrainings the model configs start from (made first, cached)
pretrained = [
    'configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py',
    'configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py',
]
teacher = dict(name='GFL R-18', seed=0,
               config='configs/det/teacher/gfl_r18_1xb8-16e_voc-mini.py')
student = 'GFL R-18 w16'
_pair = 'gfl_r18_gfl_r18-w16_1xb8-4e_voc-mini.py'
methods = dict(
    baseline='configs/det/baseline/gfl_r18-w16_1xb8-4e_voc-mini.py',
    ld='configs/det/ld/ld_' + _pair,
    ld_vlr='configs/det/ld/ld-vlr_' + _pair,
    # ablations of ld_vlr's three terms: without its class KD, class KD alone
    ld_vlr_no_cls_kd='configs/det/ld/ld-vlr-no-cls-kd_' + _pair,
    cls_kd='configs/det/cls_kd/cls-kd_' + _pair,
    feat_imit='configs/det/feat_imit/feat-imit_' + _pair,
)
# --quick: one seed, 1 epoch instead of 4, same (cached) teacher; records
# and table go under work_dirs/benchmarks/quick, not leaderboards/.
quick = dict(
    seeds=[0],
    cfg_options={'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
                 'param_scheduler.1.end': 1},
)
