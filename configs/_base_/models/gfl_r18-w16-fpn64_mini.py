# Student detector of the mini detection track (GFL family): the teacher's
# GFL with ResNet-18 at 1/4 width (stages 16-32-64-128 ch). FPN output,
# head, reg_max, strides and anchors are the teacher's, so LD compares the
# same locations and feature imitation needs no adapter.
_base_ = ['./gfl_r18-fpn64_mini.py']
model = dict(
    backbone=dict(
        base_channels=16,
        init_cfg={{_base_.r18_w16_pretrained}}),
    neck=dict(in_channels=[16, 32, 64, 128]))
