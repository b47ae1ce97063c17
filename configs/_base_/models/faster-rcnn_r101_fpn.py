# Faster R-CNN R-101 FPN (COCO, 80 classes), model only: mmdet's R-50 FPN
# model with a torchvision ResNet-101 backbone.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py']
model = dict(
    type='mmdet.FasterRCNN',
    backbone=dict(depth=101, init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet101')))
