# Classification transfer of a tiny backbone (task `transfer_cls`,
# METHODS.md §5.3: the whole network fine-tuned with the plain
# configuration): MobileNetV2 x0.35 on raw Fashion-MNIST (28 px grey items,
# repeated to three channels, no canvas or tint: a second dataset for a
# backbone pretrained on items on textured canvases), the mini
# classification subset (5k images) for 5 epochs, label smoothing 0.1 as
# NetAug's transfer recipe (its dropout 0.2 is left out: mmpretrain's
# LinearClsHead has none).
_base_ = [
    '../../_base_/models/tiny_pretrained_backbone.py',
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=1280,
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                        mode='original')))
# the grey items with ImageNet statistics, as the pretraining normalised
data_preprocessor = dict(num_classes=10, mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=False)
train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='kdbench.GrayToRGB'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='kdbench.GrayToRGB'), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
max_epochs = 5
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
