# Full PASCAL VOC 07+12 pair: teacher faster-rcnn R-101 FPN trained on VOC with
# configs/det/teacher/faster-rcnn_r101_fpn_1x_voc0712.py (no released VOC
# weights; tools/benchmark.py or tools/train.py writes its weights.pth)
# -> student faster-rcnn R50 FPN, mmdet's VOC schedule. Method configs set
# cls / reg / distill_losses of kdbench.ChenDistiller.
_base_ = [
    '../datasets/voc0712.py',
    '../schedules/voc_det_1x.py',
    '../det_runtime.py',
]
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.ChenDistiller',
    student='configs/_base_/models/faster-rcnn_r50_fpn_voc.py',
    teacher='configs/_base_/models/faster-rcnn_r101_fpn_voc.py',
    teacher_checkpoint='work_dirs/teachers/faster-rcnn_r101_fpn_1x_voc0712/'
    'weights.pth')
