# Mini tiny-network suite: MobileNetV2 x0.35 pretrained on 5k items-on-
# canvas images (the mini track's ImageNet), 10 epochs, 5 seeds per method;
# top-1 on the 10k test items. The `kd` teacher is the ResNet-18 of the mini
# backbone pretraining recipe, trained once and cached.
#   python tools/benchmark.py configs/benchmarks/tiny_mini.py
task = 'tiny'
benchmark = 'mini'
dataset = 'fashion_mnist_canvas64'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Tiny-network leaderboard'
leaderboard = 'leaderboards/tiny.md'
# validation on training items 55000-56999 (val loop, learning curves,
# tuning); the table's number is the 10k test items, evaluated once
validation_split = True
seeds = [0, 1, 2, 3, 4]
# one thread per run, two runs side by side (thread counts change results)
threads = 1
jobs = 2
# a seed gives every method the same data order, and the `kd` student the
# plain student's initialisation; NetAug / NetDistiller train a wider
# supernet whose base slice cannot start where the plain network does, so
# their pairs share only the data order (the paired interval stays valid,
# it is only narrower where the initialisation is shared too)
paired = True
cfg_options = {'randomness.deterministic': True}
# the teacher (the mini pretraining recipe) is scored on the same 10k test
# items as the students (its config tests on the first 2k)
teacher_cfg_options = {'randomness.deterministic': True,
                       'test_dataloader.dataset.indices': 10000}
teacher = dict(name='ResNet-18 (mini pretraining)', seed=0,
               config='configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py')
student = 'MobileNetV2 x0.35'
_suffix = 'mbv2-w0.35_1xb128-10e_canvas64-mini.py'
_suffix_20e = _suffix.replace('-10e_', '-20e_')
methods = dict(
    baseline='configs/tiny/baseline/' + _suffix,
    # the plain network with the budget of the NetDistiller rows with UD
    baseline_20e='configs/tiny/baseline/' + _suffix_20e,
    kd='configs/tiny/kd/kd_r18_' + _suffix,
    netaug='configs/tiny/netaug/netaug_' + _suffix,
    # NetDistiller with uncertainty-aware distillation, 2x the schedule as
    # the paper; its ablations: without UD (1x), without gradient surgery
    netdistiller='configs/tiny/netdistiller/netdistiller_' + _suffix_20e,
    netdistiller_no_ud='configs/tiny/netdistiller/netdistiller-no-ud_' +
    _suffix,
    netdistiller_no_gs='configs/tiny/netdistiller/netdistiller-no-gs_' +
    _suffix_20e,
    netaug_kd='configs/tiny/netaug_kd/netaug-kd_r18_' + _suffix,
    # without UD, as the paper's Table 5 combines NetDistiller with KD
    netdistiller_kd='configs/tiny/netdistiller_kd/netdistiller-kd_r18_' +
    _suffix,
)
reference = dict(netdistiller='baseline_20e',
                 netdistiller_no_gs='baseline_20e')
# every method, the baseline included, tries the same lr grid on the
# validation split (tuning seed 100): the old shared lr 0.025 was chosen for
# NetAug's stability and handicapped the plain network (67.6 / 65.7 at 0.1
# against 61.95 / 59.4 at 0.025, seeds 0 / 1); the grid reaches below
# 0.025 because NetAug fell at 0.1 (46.6 against 63.95 at 0.025, seed 0)
_lr = [0.0125, 0.025, 0.05, 0.1, 0.2]
# NetDistiller clips its gradients so that a step is bounded as in the
# paper (lr x max_norm = 0.4 x 1.0): its clipping norm moves with the lr
_lr_clip = {'optim_wrapper.optimizer.lr,optim_wrapper.clip_grad.max_norm':
            [(lr, 0.4 / lr) for lr in _lr]}
tuning = dict(
    seed=100,
    grid={'optim_wrapper.optimizer.lr': _lr},
    method_grids={m: _lr_clip for m in (
        'netdistiller', 'netdistiller_no_ud', 'netdistiller_no_gs',
        'netdistiller_kd')},
    # the ablation rows take away one part of NetDistiller at the full
    # method's setting, as the paper's ablations: tuned apart, their Δ
    # would mix the part with a new lr (and the suite's most expensive rows
    # would cost four tuning runs each, ~3.6 CPU-hours for these two)
    share=dict(netdistiller_no_ud='netdistiller',
               netdistiller_no_gs='netdistiller'),
)
# what gradient surgery adds (same 20-epoch budget, same setting), and
# what NetAug / NetDistiller add to KD
comparisons = [('netdistiller', 'netdistiller_no_gs'),
               ('netaug_kd', 'kd'), ('netdistiller_kd', 'kd')]
# --quick: one seed, 2 epochs (1 of warm-up, 1 of cosine: the schedule's
# cosine phase starts at epoch 1); records under work_dirs/benchmarks/quick
quick = dict(
    seeds=[0],
    tuning=dict(grid={}, method_grids={}),
    cfg_options={'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
                 'param_scheduler.1.end': 2},
    # the 2x rows get 2x the quick schedule
    method_cfg_options={
        m: {'train_cfg.max_epochs': 4, 'train_cfg.val_interval': 4,
            'param_scheduler.1.end': 4}
        for m in ('baseline_20e', 'netdistiller', 'netdistiller_no_gs')},
)
