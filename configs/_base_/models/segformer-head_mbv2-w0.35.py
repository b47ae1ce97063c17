# The segmentor of the segmentation transfer (task `transfer_seg`): the
# tiny-track backbone (MobileNetV2 x0.35, loaded strictly from a tiny
# pretraining run) with mmseg's all-MLP SegformerHead fusing stages 3 / 5 / 7
# (strides 8 / 16 / 32), whole network fine-tuned. Full-scale head: 256
# channels (mmseg's MiT-B0 head), dropout 0.1, 19 Cityscapes classes, 512x1024
# crops. Configs that inherit this set the data, the schedule and, off the
# mini track, the pretraining run the backbone comes from.
_base_ = ['./tiny_pretrained_backbone.py']
model = dict(
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(512, 1024)),
    backbone=dict(out_indices=(2, 4, 6)),
    decode_head=dict(
        type='SegformerHead',
        in_channels=[16, 32, 112],
        in_index=[0, 1, 2],
        channels=256,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
