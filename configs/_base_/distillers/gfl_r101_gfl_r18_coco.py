# Full COCO dense-detection pair, as mmdet's LD configs: teacher mmdet's GFL
# R-101 ms-2x (released weights, 44.7 box AP) -> student GFL R-18 FPN, 1x
# schedule at SGD 0.01 / batch 16 (8 GPUs x 2). Method configs switch on
# ld / ld_vlr / cls_kd / feat_imit of kdbench.DenseHeadDistiller.
_base_ = [
    '../datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../det_runtime.py',
]
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.DenseHeadDistiller',
    student='configs/_base_/models/gfl_r18_fpn.py',
    teacher='mmdet::gfl/gfl_r101_fpn_ms-2x_coco.py',
    teacher_checkpoint='https://download.openmmlab.com/mmdetection/v2.0/gfl/'
    'gfl_r101_fpn_mstrain_2x_coco/'
    'gfl_r101_fpn_mstrain_2x_coco_20200629_200126-dd12f847.pth')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))
