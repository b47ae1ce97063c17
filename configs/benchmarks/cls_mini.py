# Mini classification suite: Fashion-MNIST (real images), teacher R-18 w16
# (trained once, cached), student R-18 w8, 3 epochs on 5k images.
#   python tools/benchmark.py configs/benchmarks/cls_mini.py [--quick]
# The protocol (docs/adding_a_distiller.md):
# * splits: train = the first 5k training images; validation = training
#   images 55000-56999 (the val loop after every epoch, and tuning);
#   test = the 10k test images, evaluated once after training (the number
#   in the table);
# * tuning: every method, the baselines included, tries the same lr grid
#   with the tuning seed on the validation split; the best validation
#   top-1 is taken for the reported seeds;
# * seeds are paired: a seed gives every method the same student
#   initialisation and data order, so Δ is paired by seed;
# * budgets: methods that train longer than the student's 3 epochs are
#   compared with a plain student trained as long (`reference`);
# * one thread per run, two runs side by side (the same thread count for
#   every row: thread counts change results); cost = process CPU time.
task = 'classification'
benchmark = 'mini'
dataset = 'fashion_mnist'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Classification leaderboard'
leaderboard = 'leaderboards/classification.md'
seeds = [0, 1, 2, 3, 4, 5, 6]
threads = 1
jobs = 2
paired = True
validation_split = True
teacher = dict(name='R-18 w16 (CIFAR stem)', seed=0,
               config='configs/cls/teacher/r18-w16_1xb128-30e_fmnist-mini.py')
# the second teacher of `ens_kd` (trained once, cached, as the teacher)
extra_teachers = dict(r50=dict(
    config='configs/cls/teacher/r50-w8_1xb128-30e_fmnist-mini.py', seed=0))
student = 'R-18 w8 (CIFAR stem)'
cfg_options = {'randomness.deterministic': True}
teacher_cfg_options = {'randomness.deterministic': True}
_pair = 'r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'
methods = dict(
    baseline='configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py',
    # plain students with the budgets of the longer methods below
    baseline_4e='configs/cls/baseline/r18-w8_1xb64-4e_fmnist-mini.py',
    baseline_9e='configs/cls/baseline/r18-w8_1xb64-9e_fmnist-mini.py',
    kd='configs/cls/kd/kd_' + _pair,
    fitnets='configs/cls/fitnets/fitnets_' + _pair,
    at='configs/cls/at/at_' + _pair,
    nst='configs/cls/nst/nst_' + _pair,
    rkd='configs/cls/rkd/rkd_' + _pair,
    # logit methods of issue 19: DKD, DIST, logit standardisation
    kd_ls='configs/cls/kd/kd-ls_' + _pair,
    dkd='configs/cls/dkd/dkd_' + _pair,
    dkd_ls='configs/cls/dkd/dkd-ls_' + _pair,
    dist='configs/cls/dist/dist_' + _pair,
    crd='configs/cls/crd/crd_' + _pair,
    reviewkd='configs/cls/reviewkd/reviewkd_' + _pair,
    # teachers (issue 20): KD from a teacher-output cache, KD with the
    # teacher in bf16, KD from two teachers of different architectures
    kd_cached='configs/cls/kd/kd-cached_' + _pair,
    # the cached form of every logit method (the runner builds each its
    # cache, from the options its runs get)
    kd_ls_cached='configs/cls/kd/kd-ls-cached_' + _pair,
    dkd_cached='configs/cls/dkd/dkd-cached_' + _pair,
    dkd_ls_cached='configs/cls/dkd/dkd-ls-cached_' + _pair,
    dist_cached='configs/cls/dist/dist-cached_' + _pair,
    kd_bf16='configs/cls/kd/kd-bf16-teacher_' + _pair,
    ens_kd='configs/cls/ens_kd/ens-kd_r18-w16+r50-w8_r18-w8_1xb64-3e_'
    'fmnist-mini.py',
    # stage-wise (kdbench.StageWiseDistiller)
    ft='configs/cls/ft/ft_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    ab='configs/cls/ab/ab_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    fsp='configs/cls/fsp/fsp_r18-w16_r18-w8_1xb64-1+3e_fmnist-mini.py',
    sskd='configs/cls/sskd/sskd_r18-w16_r18-w8_1xb64-5x1.8e_fmnist-mini.py',
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
# matched budgets: 1 extra epoch (ft, ab, fsp), 3x the student's (sskd's 5
# stages of 0.6 x 3 epochs, ban's 3 generations of 3 epochs)
reference = dict(ft='baseline_4e', ab='baseline_4e', fsp='baseline_4e',
                 sskd='baseline_9e', ban='baseline_9e',
                 ban_kd_only='baseline_9e')
# beside their Δ to the baseline: the cached and bf16 teachers against
# the online fp32 one (the same method otherwise: "no detectable
# difference" is the expected verdict)
_cached = dict(kd_cached='kd', kd_ls_cached='kd_ls', dkd_cached='dkd',
               dkd_ls_cached='dkd_ls', dist_cached='dist')
comparisons = [*_cached.items(), ('kd_bf16', 'kd')]
# lr grid: 0.8 was added after 0.4, the top of the first grid, won for
# the baseline and five other methods (a best at the grid's edge is not a
# tuned optimum); every row was then re-run on one machine. 0.025 and 1.6
# were added when kd, fitnets, ab, fsp, sskd and dist chose 0.05 and crd
# 0.8 (a setting that diverges is recorded as failed, not a candidate)
_lr = [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
_lr_low = [v / 4 for v in _lr]
tuning = dict(
    seed=100,
    grid={'optim_wrapper.optimizer.lr': _lr},
    # FFSD's parts have their own optimizers: the SGD ones share the lr
    # (its Adam-trained SD modules keep theirs, as the official code)
    method_grids=dict(ffsd={
        'optim_wrapper.members.optimizer.lr'
        '|optim_wrapper.trans_fusion.optimizer.lr'
        '|optim_wrapper.fusion.optimizer.lr': _lr},
        # DKD and DIST chose 0.025, the bottom of 0.025-1.6: their loss
        # gradients at the start are 10x (DKD after its warm-up) and 78x
        # (DIST) the task loss's, against KD's 18x at CE weight 0.1
        # (tools/analysis/loss_gradient_scale.py), so their seven settings
        # are the same grid moved down 4x (and their cached forms' with
        # them: a shared setting comes from the same grid)
        **{m: {'optim_wrapper.optimizer.lr': _lr_low}
           for m in ('dkd', 'dkd_cached', 'dist', 'dist_cached')},
        # SSKD chose 1.6, the top, gaining at each doubling (validation
        # 76.45 at 0.8, 82.20 at 1.6): its grid goes on to 6.4, and so does
        # its budget baseline's (no method searches wider than its
        # baseline)
        **{m: {'optim_wrapper.optimizer.lr': _lr + [3.2, 6.4]}
           for m in ('sskd', 'baseline_9e')}),
    # the cached and bf16 teachers are implementations of their online
    # methods: they train at the online row's chosen lr, so the comparison
    # measures the implementation (tuned independently, one-seed
    # validation ties and noise picked lrs 2-4x apart for kd_cached and
    # kd_bf16, and the lr, not the cache, made their Δ to kd)
    share=dict(_cached, kd_bf16='kd'),
)
# --quick: one seed, 2 epochs instead of 3, same (cached) teacher, no
# tuning; its records and table go under work_dirs/benchmarks/quick.
quick = dict(
    seeds=[0],
    tuning=dict(grid={}, method_grids={}),
    cfg_options={'train_cfg.max_epochs': 2, 'param_scheduler.1.end': 2},
    # methods with their own stages get a matching short schedule instead
    method_cfg_options=dict(
        baseline_4e={'train_cfg.max_epochs': 3, 'param_scheduler.1.end': 3},
        baseline_9e={'train_cfg.max_epochs': 6, 'param_scheduler.1.end': 6},
        **{m: {'train_cfg.max_epochs': 3, 'model.stages.1.end': 3,
               'param_scheduler.0.periods': '[1,2]'}
           for m in ('ft', 'ab', 'fsp')},
        sskd={'train_cfg.max_epochs': 6,
              **{f'model.stages.{i}.end': end
                 for i, end in enumerate([95, 190, 284, 379, 474])},
              'param_scheduler.0.periods': '[95,95,94,95,95]'},
        # 3 generations of the quick 2-epoch schedule
        **{m: {'train_cfg.max_epochs': 6, 'param_scheduler.1.end': 2,
               'custom_hooks.0.epochs_per_generation': 2,
               'train_cfg.val_interval': 2}
           for m in ('ban', 'ban_kd_only')}),
)
