# Mini classification pair: teacher R-18 w16 (cached by tools/benchmark.py)
# -> student R-18 w8, on the 5k-image Fashion-MNIST subset, 3 epochs.
# Method configs add `distill_losses` (and may set student_loss_weight).
_base_ = [
    '../datasets/mini_fashion_mnist.py',
    '../schedules/mini_cls.py',
    '../cls_runtime.py',
]
model = dict(
    type='kdbench.SingleTeacherDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py',
    teacher='configs/_base_/models/resnet18-w16_fmnist.py',
    teacher_checkpoint='work_dirs/teachers/r18-w16_1xb128-30e_fmnist-mini/'
    'weights.pth',
    distill_losses=dict())
