# Full tiny-network suite (METHODS.md §5): MobileNetV2 x0.35 pretrained on
# ImageNet-1k at 160 px by each method of the tiny track, one seed (each
# run is 155-365 ImageNet epochs on 8-16 GPUs); top-1 on the 50k val
# images. Tables go to leaderboards/tiny.md next to the mini suite's.
#   python tools/benchmark.py configs/benchmarks/tiny_in1k.py
# Teacher of `kd`, `netaug_kd`, `netdistiller_kd`: mmpretrain's released
# ResNet-50 (METHODS §5.2 Table 5's external teacher), used as it is, not
# trained: the runner reads `checkpoint` and stops with `how` when the file
# is missing. `value` is its published top-1 at 224 px.
# Launch: the runner starts every run as one `tools/train.py` process, so
# the configs' GPU counts (16xb128, 8xb128) are not met; `cfg_options`
# turns on auto_scale_lr, which scales each config's lr to the batch the
# run really has (e.g. 0.4 x 128 / 2048 on one GPU). For the papers' exact
# recipes, train the method configs with tools/dist_train.sh instead.
task = 'tiny'
benchmark = 'full'
dataset = 'imagenet1k_r160'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Tiny-network leaderboard'
leaderboard = 'leaderboards/tiny.md'
seeds = [0]
cfg_options = {'auto_scale_lr.enable': True}
_r50 = 'resnet50_8xb32_in1k_20210831-ea4938fc.pth'
teacher = dict(
    name='ResNet-50 (mmpretrain, released)', seed=0,
    config='configs/cls/teacher/r50_8xb32-100e_in1k.py',
    checkpoint='checkpoints/' + _r50, value=76.55,
    how='Get it with `mkdir -p checkpoints && wget -P checkpoints '
    'https://download.openmmlab.com/mmclassification/v0/resnet/' + _r50 +
    '`.')
student = 'MobileNetV2 x0.35'
methods = dict(
    baseline='configs/tiny/baseline/mbv2-w0.35_16xb128-150e_in1k-r160.py',
    kd='configs/tiny/kd/kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py',
    netaug='configs/tiny/netaug/netaug_mbv2-w0.35_16xb128-150e_in1k-r160.py',
    netdistiller='configs/tiny/netdistiller/'
    'netdistiller_mbv2-w0.35_8xb128-360e_in1k-r160.py',
    netaug_kd='configs/tiny/netaug_kd/'
    'netaug-kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py',
    netdistiller_kd='configs/tiny/netdistiller_kd/'
    'netdistiller-kd_r50_mbv2-w0.35_8xb128-360e_in1k-r160.py',
)
