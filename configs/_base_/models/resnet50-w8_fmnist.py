# Second teacher architecture of the mini classification track (the
# multi-teacher row): CIFAR-style ResNet-50 (bottleneck blocks) at 1/8
# width (stages 32-64-128-256 ch out at 28-14-7-4 px), 1-channel input,
# 10 classes.
model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(num_classes=10, mean=[72.94], std=[90.0],
                           to_rgb=False),
    backbone=dict(type='ResNet_CIFAR', depth=50, in_channels=1,
                  stem_channels=8, base_channels=8, num_stages=4,
                  out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=256,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
