# Mini detection suite, dense-detector family: GFL R-18 teacher (trained
# once, cached) -> GFL R-18 at 1/4 width, 4 epochs on the 1200 mini VOC 07+12
# scenes, 13 seeds per method; VOC07 mAP at IoU 0.5 (11-point), x100.
#   python tools/benchmark.py configs/benchmarks/det_gfl_voc_mini.py
task = 'detection'
benchmark = 'mini'
dataset = 'voc0712'
metric = 'mAP'
metric_key = 'pascal_voc/mAP'
metric_scale = 100  # VOCMetric reports mAP in [0, 1]
title = 'Detection leaderboard'
leaderboard = 'leaderboards/detection.md'
_base_ = ['./_base_/dense_protocol.py']
# validation on the holdout scenes (once, after training: tuning); the
# table's number is the test split (VOC2007 test), evaluated once
# 13 seeds: at 5 the table's MDE was 2.89 mAP (pooled sd of the per-seed
# differences 1.72; the test split is 200 scenes) against the protocol's
# 1.5; that sd gives 1.46 at 13 paired seeds
seeds = list(range(13))
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
    # FPN feature distillers of issue 19
    cwd='configs/det/cwd/cwd_' + _pair,
    pkd='configs/det/pkd/pkd_' + _pair,
    mgd='configs/det/mgd/mgd_' + _pair,
)
# what VLR's class KD adds to the recipe (against its ablation), and the
# whole recipe against LD alone
comparisons = [('ld_vlr', 'ld_vlr_no_cls_kd'), ('ld_vlr', 'ld')]
# every row, the baseline included, tries the same AdamW lr grid (0.5x to
# 32x the schedule's 1e-3) on the validation split (tuning seed 100): the
# grid the mini-COCO sweeps grew to (8e-3 when feat_imit, cwd, pkd and mgd
# chose 4e-3, the top of 0.5x-4x; 1.6e-2 when feat_imit and cwd chose 8e-3;
# 3.2e-2 when feat_imit and pkd chose 1.6e-2), set before this suite's
# sweep. The distillers' own weights are fixed at the reference values
# scaled to the mini geometry (their configs explain each scaling)
tuning = dict(
    seed=100,
    grid={'optim_wrapper.optimizer.lr': [5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2,
                                         3.2e-2]})
# --quick: one seed, 1 epoch instead of 4, same (cached) teacher; records
# and table go under work_dirs/benchmarks/quick, not leaderboards/.
quick = dict(
    seeds=[0],
    tuning=dict(grid={}, method_grids={}),
    cfg_options={'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
                 'param_scheduler.1.end': 1},
)
