# Student of the full-track online / self / born-again CIFAR-100 configs:
# mmpretrain's CIFAR ResNet-18 (ResNet_CIFAR depth 18: 3x3 stem, no
# max-pool; stages 64-128-256-512). The papers' CIFAR ResNet-32/110 are not
# in mmpretrain. The kept network of those runs loads into this model.
model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(num_classes=100, mean=[129.304, 124.070, 112.434],
                           std=[68.170, 65.392, 70.418], to_rgb=False),
    backbone=dict(type='ResNet_CIFAR', depth=18, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=100, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
