# NetAug + external-teacher KD (method id `netaug_kd`) for MobileNetV2
# x0.35 on ImageNet at 160 px: the NetAug classifier of
# netaug_mbv2-w0.35_16xb128-150e_in1k-r160.py (its multipliers, schedule
# and hooks: width augmentation for 80 of 155 epochs, channel sorting, BN
# re-estimation on 16000 images) as the student of the `kd` ResNet-50
# teacher of kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py (T = 1, weight 1,
# on the tiny network's logits; see that config for the teacher's weights
# file). The augmented networks keep their label loss only.
_base_ = ['../kd/kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py']
model = dict(
    student='configs/tiny/netaug/netaug_mbv2-w0.35_16xb128-150e_in1k-r160.py')
custom_hooks = [
    dict(type='kdbench.NetAugScheduleHook', stop_width_aug=80 / 155,
         sort_channels=True),
    dict(type='kdbench.BNRecalibrationHook', num_images=16000),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
