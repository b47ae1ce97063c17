# Hinton KD on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.1),
# mmrazor's setting: τ = 1, KD weight 3, plus the student CE (weight 1).
# Published (mmrazor metafile): 69.90 -> 71.81, teacher 73.62.
_base_ = [
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_bs256_100e.py',
    '../../_base_/cls_runtime.py',
]
model = dict(
    type='kdbench.SingleTeacherDistiller',
    student='configs/cls/baseline/r18_8xb32-100e_in1k.py',
    teacher='configs/cls/teacher/r34_8xb32-100e_in1k.py',
    teacher_checkpoint='https://download.openmmlab.com/mmclassification/v0/'
    'resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=3.0,
                student='head.fc', teacher='head.fc')))
default_hooks = dict(logger=dict(interval=100))
