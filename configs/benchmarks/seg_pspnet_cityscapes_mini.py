# Mini segmentation suite: PSPNet R-18-d8 teacher (trained once, cached) ->
# PSPNet R-18-d8 at 1/4 width, 750 iterations on 128x128 crops of the 1000
# mini Cityscapes scenes, 2 seeds per method, in Structured KD's ablation
# order; mIoU over the 11 classes of the 200 test scenes.
#   python tools/benchmark.py configs/benchmarks/seg_pspnet_cityscapes_mini.py
task = 'segmentation'
benchmark = 'mini'
dataset = 'cityscapes'
metric = 'mIoU'
metric_key = 'mIoU'
title = 'Segmentation leaderboard'
leaderboard = 'leaderboards/segmentation.md'
# validation on the holdout scenes (val loop, learning curves, tuning); the
# table's number is the test split (the 200 `val` scenes), evaluated once
validation_split = True
seeds = [0, 1]
# backbone pretrainings the model configs start from (made first, cached)
pretrained = [
    'configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py',
    'configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py',
]
teacher = dict(
    name='PSPNet R-18-d8', seed=0,
    config='configs/seg/teacher/pspnet_r18-d8_1xb8-1500i_cityscapes-mini.py')
student = 'PSPNet R-18-d8 w16'
_pair = 'pspnet_r18-d8_pspnet_r18-w16-d8_1xb8-750i_cityscapes-mini.py'
methods = dict(
    baseline='configs/seg/baseline/pspnet_r18-w16-d8_1xb8-750i_cityscapes-mini.py',
    skd_pi='configs/seg/skd/skd-pi_' + _pair,
    skd_pi_pa='configs/seg/skd/skd-pi-pa_' + _pair,
    skd_full='configs/seg/skd/skd-full_' + _pair,
)
# --quick: one seed, 100 iterations instead of 750, same (cached) teacher;
# records and table go under work_dirs/benchmarks/quick, not leaderboards/.
quick = dict(
    seeds=[0],
    cfg_options={'train_cfg.max_iters': 100, 'train_cfg.val_interval': 100},
)
