# Plain ResNet-18 on ImageNet-1k (method id `baseline`): mmpretrain's recipe
# (8 GPUs x 32, SGD 0.1, steps at 30/60/90, 100 epochs), reported 69.90 top-1.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_bs256_100e.py',
    '../../_base_/cls_runtime.py',
]
default_hooks = dict(logger=dict(interval=100))
