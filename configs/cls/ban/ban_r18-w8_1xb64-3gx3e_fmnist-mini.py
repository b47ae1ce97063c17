# Born-Again Networks (method id `ban`, KD + CE), METHODS.md §2.1, on the
# mini classification track: three generations S0, S1, S2 of the plain
# student (R-18 w8), trained one after the other in ONE run. S0 learns from
# the labels; each S_k (same config, fresh init, new seed) learns from
# CE(y, S_k) + KL(p(S_{k-1}) || p(S_k)) at T = 1, with the frozen S_{k-1}
# evaluated online on the same augmented batch.
# BUDGET: 3 x the plain student's schedule = 9 epochs. Every generation gets
# exactly configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py's 3-epoch
# schedule (_base_/schedules/mini_cls.py: warmup + cosine, restarted, with
# the optimizer state cleared, by kdbench.BornAgainHook).
# Kept model: S2 (work_dir/weights.pth; loads into the baseline config);
# gen0/ and gen1/ hold S0 and S1. The last validation reports S2 as
# accuracy/top1, plus gen0/..., gen1/... and ensemble/... (S1 + S2 mean
# softmax, the paper's BAN ensemble). KD-only ablation: ban-kd-only_*.py.
_base_ = [
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
generations = 3
epochs_per_generation = 3  # = max_epochs of _base_/schedules/mini_cls.py
budget = '3 generations × 3 ep'
model = dict(
    type='kdbench.BornAgainDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py',
    distill_loss=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=1.0),
    student_loss_weight=1.0,
    logits='head.fc')
# the base schedulers end within one generation (warmup 20 iterations,
# cosine over 3 epochs); one validation at the end of every generation
train_cfg = dict(max_epochs=generations * epochs_per_generation,
                 val_interval=epochs_per_generation)
custom_hooks = [
    dict(type='kdbench.BornAgainHook',
         epochs_per_generation=epochs_per_generation, evaluate_ensemble=True),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
