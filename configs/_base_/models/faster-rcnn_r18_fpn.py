# Faster R-CNN R-18 FPN (COCO, 80 classes), model only: mmdet's R-50 FPN
# model with a torchvision ResNet-18 backbone.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py']
model = dict(
    type='mmdet.FasterRCNN',
    backbone=dict(depth=18, init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
