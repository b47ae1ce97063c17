# ImageNet teacher: mmpretrain's ResNet-34 (73.62 top-1); its released
# weights are the teacher_checkpoint of the *_r34_r18_*_in1k distillers.
_base_ = [
    'mmpretrain::_base_/models/resnet34.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_bs256_100e.py',
    '../../_base_/cls_runtime.py',
]
default_hooks = dict(logger=dict(interval=100))
