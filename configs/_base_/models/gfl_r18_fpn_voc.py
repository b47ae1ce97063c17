# GFL R-18 FPN on PASCAL VOC: the COCO model with a 20-class head.
_base_ = ['./gfl_r18_fpn.py']
model = dict(bbox_head=dict(num_classes=20))
