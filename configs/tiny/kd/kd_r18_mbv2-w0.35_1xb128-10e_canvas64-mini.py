# External-teacher KD (method id `kd` of the tiny track): MobileNetV2 x0.35
# under the ResNet-18 of the mini pretraining (items on canvases, cached by
# tools/benchmark.py as the suite's teacher), Hinton KD on the logits at
# T = 1 with weight 1 next to the label-smoothed CE (ImageNet-style, as
# mmrazor's KD configs), same data and schedule as the baseline.
_base_ = [
    '../../_base_/datasets/mini_fashion_mnist_canvas64_tiny.py',
    '../../_base_/schedules/mini_tiny.py',
    '../../_base_/cls_runtime.py',
]
model = dict(
    type='kdbench.SingleTeacherDistiller',
    student='configs/_base_/models/mbv2-w0.35_canvas.py',
    teacher='configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py',
    teacher_checkpoint='work_dirs/teachers/'
    'resnet18_1xb128-2e_fmnist-canvas64/weights.pth',
    student_loss_weight=1.0,
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=1.0,
                student='head.fc', teacher='head.fc')))
