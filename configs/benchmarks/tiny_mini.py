# Mini tiny-network suite: MobileNetV2 x0.35 pretrained on 10k items-on-
# canvas images (the mini track's ImageNet), 10 epochs, 2 seeds per method;
# top-1 on 2000 test items. The `kd` teacher is the ResNet-18 of the mini
# backbone pretraining recipe, trained once and cached.
#   python tools/benchmark.py configs/benchmarks/tiny_mini.py
task = 'tiny'
benchmark = 'mini'
dataset = 'fashion_mnist_canvas64'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Tiny-network leaderboard'
leaderboard = 'leaderboards/tiny.md'
seeds = [0, 1]
teacher = dict(name='ResNet-18 (mini pretraining)', seed=0,
               config='configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py')
student = 'MobileNetV2 x0.35'
_suffix = 'mbv2-w0.35_1xb128-10e_canvas64-mini.py'
methods = dict(
    baseline='configs/tiny/baseline/' + _suffix,
    kd='configs/tiny/kd/kd_r18_' + _suffix,
    netaug='configs/tiny/netaug/netaug_' + _suffix,
    netdistiller='configs/tiny/netdistiller/netdistiller_' + _suffix,
    netaug_kd='configs/tiny/netaug_kd/netaug-kd_r18_' + _suffix,
    netdistiller_kd='configs/tiny/netdistiller_kd/netdistiller-kd_r18_' +
    _suffix,
)
# --quick: one seed, 2 epochs (1 of warm-up, 1 of cosine: the schedule's
# cosine phase starts at epoch 1); records under work_dirs/benchmarks/quick
quick = dict(
    seeds=[0],
    cfg_options={'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
                 'param_scheduler.1.end': 2},
)
