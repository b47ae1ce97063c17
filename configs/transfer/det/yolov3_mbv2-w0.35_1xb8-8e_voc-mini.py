# Detection transfer of a tiny backbone (task `transfer_det`, METHODS.md
# §5.3): mmdet's YOLOv3 on MobileNetV2 x0.35 (the layout of mmdet's
# yolov3_mobilenetv2 configs: stages 3 / 5 / 7 at strides 8 / 16 / 32,
# YOLOV3Neck and YOLOV3Head at 96 channels) on the mini VOC scenes, the
# whole network fine-tuned from the pretraining run's backbone. Anchors are
# sized for the 20-64 px items of 128 px scenes. VOC07 mAP at IoU 0.5 (AP50).
_base_ = [
    '../../_base_/models/yolov3_mbv2-w0.35.py',
    '../../_base_/datasets/mini_voc0712.py',
    '../../_base_/schedules/mini_det.py',
    '../../_base_/det_runtime.py',
]
model = dict(
    bbox_head=dict(
        num_classes=10,
        # sized for the 20-64 px items of the 128 px scenes
        anchor_generator=dict(
            base_sizes=[[(56, 56), (48, 64), (64, 48)],
                        [(36, 36), (28, 44), (44, 28)],
                        [(20, 20), (16, 26), (26, 16)]])))
max_epochs = 8
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
