# The tiny network of the tiny-network track (10 classes for the mini data;
# the ImageNet configs set 1000): MobileNetV2 x0.35 as
# kdbench.SliceableMobileNetV2 at its base configuration (a plain
# MobileNetV2: every multiplier list (1.0,)), global average pooling and a
# linear classifier on the final 1280 channels, with label smoothing 0.1
# as NetAug's and NetDistiller's recipes. NetAug / NetDistiller weights.pth
# files (their deployed tiny network) load into this config.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='kdbench.SliceableMobileNetV2', widen_factor=0.35,
                  out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=1280,
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                        mode='original')))
