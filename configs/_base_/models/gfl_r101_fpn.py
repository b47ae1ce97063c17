# GFL R-101 FPN (COCO, 80 classes), model only: GFL R-50 with a torchvision
# ResNet-101 backbone.
_base_ = ['./gfl_r50_fpn.py']
model = dict(
    backbone=dict(depth=101, init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet101')))
