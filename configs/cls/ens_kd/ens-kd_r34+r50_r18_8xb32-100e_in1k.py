# KD from two ImageNet teachers (method id `ens_kd`): mmpretrain's
# ResNet-34 (73.62) and ResNet-50 (76.55) -> ResNet-18, the average of
# their softened distributions, T = 1, KD weight 3 and the student CE as
# the `kd` ImageNet config (mmrazor's setting).
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    type='kdbench.MultiTeacherDistiller',
    extra_teachers=dict(
        r50=dict(model='configs/cls/teacher/r50_8xb32-100e_in1k.py',
                 checkpoint='https://download.openmmlab.com/'
                 'mmclassification/v0/resnet/'
                 'resnet50_8xb32_in1k_20210831-ea4938fc.pth')),
    distill_losses=dict(
        ens=dict(type='kdbench.EnsembleKDLoss', tau=1.0, loss_weight=3.0,
                 student='head.fc', teacher=['main.head.fc',
                                             'r50.head.fc'])))
