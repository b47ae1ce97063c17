# NetAug (method id `netaug`), METHODS.md §5.1, on the mini tiny track:
# the tiny MobileNetV2 x0.35 trained inside augmented networks (width
# multipliers 1.0/1.8/2.6 per stage, expand multipliers 1.0/1.6/2.2/2.8 per
# block, MbV2-0.35's lists), alpha = 1, width augmentation for the first
# half, hidden channels sorted by importance at the start of every epoch
# while widths are augmented (the official code's `sort_channel: true`), BN
# statistics re-estimated on 2000 training images before validation and
# export. weights.pth holds the deployed tiny network
# (loads into configs/tiny/baseline/mbv2-w0.35_1xb128-10e_canvas64-mini.py).
_base_ = ['../baseline/mbv2-w0.35_1xb128-10e_canvas64-mini.py']
model = dict(
    type='kdbench.NetAugClassifier',
    backbone=dict(width_mults=(1.0, 1.8, 2.6),
                  expand_mults=(1.0, 1.6, 2.2, 2.8)),
    aug_weight=1.0)
custom_hooks = [
    dict(type='kdbench.NetAugScheduleHook', stop_width_aug=0.5,
         sort_channels=True),
    dict(type='kdbench.BNRecalibrationHook', num_images=2000),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
