# ImageNet-1k at 160 px (NetAug / NetDistiller tiny-network recipes), laid
# out as the OpenMMLab docs describe (data/imagenet/{train,val}, meta/),
# 128 images per GPU: random-resized 160 px crops and flips for training
# (standard augmentation only, no AutoAugment), short edge 182 + centre
# crop 160 for evaluation (the 0.875 crop ratio).
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs32.py']
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=160, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=182, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=160),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=128, num_workers=8,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=128, num_workers=8,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
