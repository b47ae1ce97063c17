# Faster R-CNN R-18 FPN on PASCAL VOC: the COCO model with a 20-class RoI
# head.
_base_ = ['./faster-rcnn_r18_fpn.py']
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))
