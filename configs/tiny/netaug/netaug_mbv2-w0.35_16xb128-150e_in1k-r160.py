# NetAug (method id `netaug`) for MobileNetV2 x0.35 on ImageNet at 160 px,
# the official recipe (METHODS.md §5.1; 56.3 -> 57.8 top-1 reported): width
# multipliers 1.0/1.8/2.6, expand multipliers 1.0/1.6/2.2/2.8, alpha 1,
# width augmentation for the first 75 of 150 epochs (after the 5 warm-up
# epochs: 80 of 155 here), BN statistics re-estimated on 16000 training
# images before validation and export.
_base_ = ['../baseline/mbv2-w0.35_16xb128-150e_in1k-r160.py']
model = dict(
    type='kdbench.NetAugClassifier',
    backbone=dict(width_mults=(1.0, 1.8, 2.6),
                  expand_mults=(1.0, 1.6, 2.2, 2.8)),
    aug_weight=1.0)
custom_hooks = [
    dict(type='kdbench.NetAugScheduleHook', stop_width_aug=80 / 155,
         sort_channels=True),
    dict(type='kdbench.BNRecalibrationHook', num_images=16000),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
