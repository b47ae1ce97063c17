# Faster R-CNN R-50 FPN on PASCAL VOC: the COCO model with a 20-class RoI
# head.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py']
model = dict(type='mmdet.FasterRCNN', roi_head=dict(bbox_head=dict(num_classes=20)))
