# ImageNet-1k pair: mmpretrain's ResNet-34 (73.62 top-1, released weights)
# -> ResNet-18, mmpretrain's 100-epoch recipe (8 GPUs x 32).
_base_ = [
    '../datasets/imagenet_bs32.py',
    '../schedules/imagenet_bs256_100e.py',
    '../cls_runtime.py',
]
model = dict(
    type='kdbench.SingleTeacherDistiller',
    student='configs/cls/baseline/r18_8xb32-100e_in1k.py',
    teacher='configs/cls/teacher/r34_8xb32-100e_in1k.py',
    teacher_checkpoint='https://download.openmmlab.com/mmclassification/v0/'
    'resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    distill_losses=dict())
default_hooks = dict(logger=dict(interval=100))
