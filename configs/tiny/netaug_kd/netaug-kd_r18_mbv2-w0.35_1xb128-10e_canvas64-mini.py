# NetAug + external-teacher KD (method id `netaug_kd`): the NetAug
# classifier of netaug_mbv2-w0.35_1xb128-10e_canvas64-mini.py as the student
# of the `kd` teacher (the mini-pretraining ResNet-18), KD at T = 1 with
# weight 1 on the tiny (base) network's logits: NetAugClassifier runs its
# base network last, so the head.fc tap records the tiny network's output.
# The augmented networks keep their label loss only.
_base_ = ['../kd/kd_r18_mbv2-w0.35_1xb128-10e_canvas64-mini.py']
model = dict(
    student=dict(
        _delete_=True,
        type='kdbench.NetAugClassifier',
        backbone=dict(type='kdbench.SliceableMobileNetV2', widen_factor=0.35,
                      out_indices=(7, ), width_mults=(1.0, 1.8, 2.6),
                      expand_mults=(1.0, 1.6, 2.2, 2.8)),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                  in_channels=1280,
                  loss=dict(type='mmpretrain.LabelSmoothLoss',
                            label_smooth_val=0.1, mode='original')),
        aug_weight=1.0))
custom_hooks = [
    dict(type='kdbench.NetAugScheduleHook', stop_width_aug=0.5,
         sort_channels=True),
    dict(type='kdbench.BNRecalibrationHook', num_images=2000),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
