# Detection transfer of a tiny backbone (task `transfer_det`, METHODS.md
# §5.3): mmdet's YOLOv3 on MobileNetV2 x0.35 (the layout of mmdet's
# yolov3_mobilenetv2 configs: stages 3 / 5 / 7 at strides 8 / 16 / 32,
# YOLOV3Neck and YOLOV3Head at 96 channels) on the mini VOC scenes, the
# whole network fine-tuned from the pretraining run's backbone. Anchors are
# sized for the 20-64 px items of 128 px scenes. VOC07 mAP at IoU 0.5 (AP50).
_base_ = [
    '../../_base_/models/tiny_pretrained_backbone.py',
    '../../_base_/datasets/mini_voc0712.py',
    '../../_base_/schedules/mini_det.py',
    '../../_base_/det_runtime.py',
]
model = dict(
    type='mmdet.YOLOV3',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(out_indices=(2, 4, 6)),
    neck=dict(
        type='YOLOV3Neck',
        num_scales=3,
        in_channels=[112, 32, 16],
        out_channels=[96, 96, 96]),
    bbox_head=dict(
        type='YOLOV3Head',
        num_classes=10,
        in_channels=[96, 96, 96],
        out_channels=[96, 96, 96],
        anchor_generator=dict(
            type='YOLOAnchorGenerator',
            base_sizes=[[(56, 56), (48, 64), (64, 48)],
                        [(36, 36), (28, 44), (44, 28)],
                        [(20, 20), (16, 26), (26, 16)]],
            strides=[32, 16, 8]),
        bbox_coder=dict(type='YOLOBBoxCoder'),
        featmap_strides=[32, 16, 8],
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True,
                      loss_weight=1.0, reduction='sum'),
        loss_conf=dict(type='CrossEntropyLoss', use_sigmoid=True,
                       loss_weight=1.0, reduction='sum'),
        loss_xy=dict(type='CrossEntropyLoss', use_sigmoid=True,
                     loss_weight=2.0, reduction='sum'),
        loss_wh=dict(type='MSELoss', loss_weight=2.0, reduction='sum')),
    train_cfg=dict(
        assigner=dict(type='GridAssigner', pos_iou_thr=0.5,
                      neg_iou_thr=0.5, min_pos_iou=0)),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        conf_thr=0.005,
        nms=dict(type='nms', iou_threshold=0.45),
        max_per_img=100))
max_epochs = 8
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
