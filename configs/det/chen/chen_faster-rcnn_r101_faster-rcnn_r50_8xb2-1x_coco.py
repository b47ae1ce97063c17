# Chen et al. 2017, all terms (method id `chen`): the R-18 config with the
# Faster R-CNN R-50 student.
_base_ = ['./chen_faster-rcnn_r101_faster-rcnn_r18_8xb2-1x_coco.py']
model = dict(student='mmdet::_base_/models/faster-rcnn_r50_fpn.py')
