# Mini classification track for the self-distillation methods (BYOT,
# Self-Guidance): one R-18 w8 student, no teacher, the plain student's data
# and 3-epoch schedule; method configs add the `views`.
_base_ = [
    '../datasets/mini_fashion_mnist.py',
    '../schedules/mini_cls.py',
    '../cls_runtime.py',
]
model = dict(
    type='kdbench.SelfDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py')
