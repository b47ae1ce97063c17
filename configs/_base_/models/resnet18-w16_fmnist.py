# Teacher of the mini classification track: CIFAR-style ResNet-18 at 1/4
# width (stem 3x3/1, no max-pool; stages 16-32-64-128 ch at 28-14-7-4 px),
# 1-channel input, 10 classes.
model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(num_classes=10, mean=[72.94], std=[90.0],
                           to_rgb=False),
    backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=1,
                  stem_channels=16, base_channels=16, num_stages=4,
                  out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=128,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
