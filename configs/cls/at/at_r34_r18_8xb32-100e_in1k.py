# Attention Transfer on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md
# §1.5): p = 2 attention of layer1..4, β = 1e3 (loss_weight β/2 per stage),
# plus the student CE. Paper: top-1 error 30.4 -> 29.3 [unverified].
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
    distill_losses={
        f'at{i}': dict(type='kdbench.ATLoss', p=2, loss_weight=500.0,
                       student=f'backbone.layer{i}',
                       teacher=f'backbone.layer{i}')
        for i in range(1, 5)
    })
default_hooks = dict(logger=dict(interval=100))
