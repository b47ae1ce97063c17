# Student detector of the mini detection track (two-stage family): the
# teacher's Faster R-CNN with ResNet-18 at 1/4 width (16-32-64-128 ch).
# FPN, anchors, RoI sampling and both box coders are the teacher's, so Chen
# et al.'s RPN / RCN terms compare the same anchors and RoIs.
_base_ = ['./faster-rcnn_r18-fpn64_mini.py']
model = dict(
    backbone=dict(
        base_channels=16,
        init_cfg={{_base_.r18_w16_pretrained}}),
    neck=dict(in_channels=[16, 32, 64, 128]))
