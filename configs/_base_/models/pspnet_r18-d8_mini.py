# Teacher segmentor of the mini segmentation track: PSPNet on mmseg's
# ResNet-18 dilated to output stride 8 (-d8: strides 1-2-1-1, dilations
# 1-1-2-4), PSP head 512 -> 128 channels (the width of SKD's student head),
# FCN auxiliary head on stage 3 (weight 0.4, as mmseg), 11 classes
# (background + the 10 Fashion-MNIST classes), BN.
# The backbone is mmseg's `ResNet` with the standard 7x7 stem, not the deep
# stem of `ResNetV1c` that mmseg's full configs use: its tensors are those of
# mmdet's ResNet, so it starts from the same mini pretraining as the mini
# detectors (configs/pretrain/).
_base_ = ['./mini_pretrained_backbones.py']
norm_cfg = dict(type='BN', requires_grad=True)
# Background is ~94 % of the scenes' pixels: with plain cross-entropy the
# models sit on the all-background prior for hundreds of iterations (mIoU
# 8.5 after 300). Background is weighted 0.1 (mmseg's class_weight; the
# weighted mean over non-ignored pixels, as torch's), which makes items
# learnable within the mini schedules.
class_weight = [0.1] + [1.0] * 10
model = dict(
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(128, 128)),  # the training crops (mini_cityscapes.py)
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        contract_dilation=True,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        init_cfg={{_base_.r18_pretrained}}),
    decode_head=dict(
        type='PSPHead',
        in_channels=512,
        in_index=3,
        channels=128,
        pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         class_weight=class_weight, avg_non_ignore=True,
                         loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=256,
        in_index=2,
        channels=64,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         class_weight=class_weight, avg_non_ignore=True,
                         loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
