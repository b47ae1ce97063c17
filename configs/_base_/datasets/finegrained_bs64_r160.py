# Fine-grained classification at 160 px for the tiny-network transfer
# (NetAug's protocol, METHODS.md §5.3): 64 images per GPU, random-resized
# 160 px crops and flips for training (standard augmentation, as the
# ImageNet r160 pretraining), short edge 182 + centre crop 160 for
# evaluation; top-1 / top-5. The including config sets the dataset
# (type, data_root, split) of each loader; the layouts are mmpretrain's
# (see the docstrings of mmpretrain.datasets.Food101 etc.).
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
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
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
