# CIFAR-100 track for the self-distillation methods (BYOT, Self-Guidance):
# mmpretrain's CIFAR ResNet-18 student, no teacher; method configs add the
# `views` and their paper's schedule.
_base_ = [
    '../datasets/cifar100_bs64.py',
    '../cls_runtime.py',
]
model = dict(
    type='kdbench.SelfDistiller',
    student='configs/_base_/models/resnet18_cifar100.py')
