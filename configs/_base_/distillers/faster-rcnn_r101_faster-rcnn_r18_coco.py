# Full COCO two-stage pair: teacher mmdet's Faster R-CNN R-101 FPN 1x
# (released weights, 39.4 box AP) -> student Faster R-CNN R-18 FPN, mmdet's 1x schedule
# (SGD 0.02, batch 16). Method configs set cls / reg / distill_losses of
# kdbench.ChenDistiller.
_base_ = [
    '../datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../det_runtime.py',
]
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.ChenDistiller',
    student='configs/_base_/models/faster-rcnn_r18_fpn.py',
    teacher='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py',
    teacher_checkpoint='https://download.openmmlab.com/mmdetection/v2.0/'
    'faster_rcnn/faster_rcnn_r101_fpn_1x_coco/'
    'faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth')
