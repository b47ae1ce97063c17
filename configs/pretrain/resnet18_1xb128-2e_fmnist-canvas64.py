# Mini "ImageNet pretraining" of the mini detection track's teacher backbone:
# mmdet's ResNet-18 (standard 7x7 stem, the class the detectors use, so the
# keys load unchanged with prefix 'backbone.') classifying Fashion-MNIST
# items on 64 px textured canvases. The mini detection configs start from
# work_dirs/pretrained/resnet18_1xb128-2e_fmnist-canvas64/weights.pth;
# tools/benchmark.py trains it first when it is missing, or run
#   python tools/train.py configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py \
#       --work-dir work_dirs/pretrained/resnet18_1xb128-2e_fmnist-canvas64
_base_ = [
    '../_base_/datasets/mini_fashion_mnist_canvas64.py',
    '../_base_/schedules/mini_cls.py',
    '../_base_/cls_runtime.py',
]
model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='mmdet.ResNet', depth=18, base_channels=64,
                  num_stages=4, out_indices=(3, ), frozen_stages=-1,
                  norm_cfg=dict(type='BN', requires_grad=True),
                  norm_eval=False, style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
max_epochs = 2
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
auto_scale_lr = dict(base_batch_size=128)
