# Mini classification suite: Fashion-MNIST (real images), teacher R-18 w16
# (trained once, cached), student R-18 w8, 3 epochs on 5k images, 3 seeds per method.
#   python tools/benchmark.py configs/benchmarks/cls_mini.py [--quick]
task = 'classification'
benchmark = 'mini'
dataset = 'fashion_mnist'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Classification leaderboard'
leaderboard = 'leaderboards/classification.md'
seeds = [0, 1, 2]
teacher = dict(name='R-18 w16 (CIFAR stem)', seed=0,
               config='configs/cls/teacher/r18-w16_1xb128-30e_fmnist-mini.py')
student = 'R-18 w8 (CIFAR stem)'
_pair = 'r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'
methods = dict(
    baseline='configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py',
    kd='configs/cls/kd/kd_' + _pair,
    fitnets='configs/cls/fitnets/fitnets_' + _pair,
    at='configs/cls/at/at_' + _pair,
    nst='configs/cls/nst/nst_' + _pair,
    rkd='configs/cls/rkd/rkd_' + _pair,
    # stage-wise (kdbench.StageWiseDistiller): the student's own training
    # keeps the 3 epochs; extra stages are stated in the table's budget
    ft='configs/cls/ft/ft_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    ab='configs/cls/ab/ab_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    fsp='configs/cls/fsp/fsp_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    sskd='configs/cls/sskd/sskd_' + _pair,
    # online (kdbench.OnlineDistiller, no teacher): the kept network is
    # scored; the others train alongside within the same 3 epochs
    dml='configs/cls/dml/dml_r18-w8x2_1xb64-3e_fmnist-mini.py',
    one='configs/cls/one/one_r18-w8-3br_1xb64-3e_fmnist-mini.py',
    ffsd='configs/cls/ffsd/ffsd_r18-w8x3_1xb64-3e_fmnist-mini.py',
    # self-distillation (kdbench.SelfDistiller, no teacher)
    byot='configs/cls/byot/byot_r18-w8_1xb64-3e_fmnist-mini.py',
    self_guidance='configs/cls/self_guidance/'
    'self-guidance_r18-w8_1xb64-3e_fmnist-mini.py',
    # born-again generations in one run (3 x the student's schedule)
    ban='configs/cls/ban/ban_r18-w8_1xb64-3gx3e_fmnist-mini.py',
    ban_kd_only='configs/cls/ban/ban-kd-only_r18-w8_1xb64-3gx3e_fmnist-mini.py',
)
# --quick: one seed, 2 epochs instead of 3, same (cached) teacher; its
# records and table go under work_dirs/benchmarks/quick, not leaderboards/.
quick = dict(
    seeds=[0],
    cfg_options={'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
                 'param_scheduler.1.end': 2},
    # methods with their own stages get a matching short schedule instead
    method_cfg_options=dict(
        **{m: {'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
               'model.stages.1.end': 2, 'param_scheduler.0.periods': '[1,1]'}
           for m in ('ft', 'ab', 'fsp')},
        sskd={'train_cfg.val_interval': 2, 'train_cfg.max_epochs': 2,
              **{f'model.stages.{i}.end': end
                 for i, end in enumerate([32, 64, 96, 128, 158])},
              'param_scheduler.0.periods': '[32,32,32,32,30]'},
        # 3 generations of the quick 2-epoch schedule
        **{m: {'train_cfg.max_epochs': 6, 'train_cfg.val_interval': 2,
               'param_scheduler.1.end': 2,
               'custom_hooks.0.epochs_per_generation': 2}
           for m in ('ban', 'ban_kd_only')}),
)
