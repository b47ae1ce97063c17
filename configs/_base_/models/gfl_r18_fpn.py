# GFL R-18 FPN (COCO, 80 classes), model only: GFL R-50 with a torchvision
# ResNet-18 backbone.
_base_ = ['./gfl_r50_fpn.py']
model = dict(
    backbone=dict(depth=18, init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
