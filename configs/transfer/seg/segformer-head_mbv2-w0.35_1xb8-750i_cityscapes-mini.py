# Segmentation transfer of a tiny backbone (task `transfer_seg`,
# METHODS.md §5.3): MobileNetV2 x0.35 with a light all-MLP decode head
# (mmseg's SegformerHead, 64 channels) fusing stages 3 / 5 / 7 (strides
# 8 / 16 / 32) on the mini Cityscapes-layout scenes, the whole network
# fine-tuned from the pretraining run's backbone for the mini segmentation
# schedule (750 iterations, 128x128 crops). Background weighted 0.1 as the
# mini PSPNets (docs/segmentation.md). mIoU.
_base_ = [
    '../../_base_/models/tiny_pretrained_backbone.py',
    '../../_base_/datasets/mini_cityscapes.py',
    '../../_base_/schedules/mini_seg.py',
    '../../_base_/seg_runtime.py',
]
model = dict(
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(128, 128)),
    backbone=dict(out_indices=(2, 4, 6)),
    decode_head=dict(
        type='SegformerHead',
        in_channels=[16, 32, 112],
        in_index=[0, 1, 2],
        channels=64,
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         class_weight=[0.1] + [1.0] * 10,
                         avg_non_ignore=True, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
