# ImageNet teacher of the tiny track's `kd`, `netaug_kd` and
# `netdistiller_kd` r160 configs: mmpretrain's ResNet-50 (76.55 top-1 at
# 224 px), the external teacher METHODS.md §5.2 names (NetDistiller's
# Table 5: a ResNet-50 teacher). Its released weights are a file the user
# supplies (see configs/tiny/kd/kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py);
# this config describes the architecture and mmpretrain's recipe.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_bs256_100e.py',
    '../../_base_/cls_runtime.py',
]
default_hooks = dict(logger=dict(interval=100))
