# The protocol of the mini detection and segmentation suites: the number
# is the test split's, evaluated once after training; the validation split
# (held-out training scenes) is evaluated once, after training (the
# schedules' val_interval is the whole run, to keep runs cheap: no
# learning curves), and drives the tuning grid.
validation_split = True
seeds = [0, 1, 2, 3, 4]
# one thread per run, two runs side by side (thread counts change results)
threads = 1
jobs = 2
# a seed gives every method the same data order and the same student
# initialisation (kdbench.distillers.paired_init): paired seeds
paired = True
# deterministic kernels (the mmcv / torch CPU ops used here have no
# non-deterministic path; torch's flag makes a re-run bit-identical)
cfg_options = {'randomness.deterministic': True}
teacher_cfg_options = {'randomness.deterministic': True}
# backbone pretrainings the model configs start from (made first, cached)
pretrained = [
    'configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py',
    'configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py',
]
