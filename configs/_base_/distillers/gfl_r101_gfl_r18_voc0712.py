# Full PASCAL VOC 07+12 pair: teacher gfl R-101 FPN trained on VOC with
# configs/det/teacher/gfl_r101_fpn_1x_voc0712.py (no released VOC
# weights; tools/benchmark.py or tools/train.py writes its weights.pth)
# -> student gfl R18 FPN, mmdet's VOC schedule. Method configs set
# ld / ld_vlr / cls_kd / feat_imit of kdbench.DenseHeadDistiller.
_base_ = [
    '../datasets/voc0712.py',
    '../schedules/voc_det_1x.py',
    '../det_runtime.py',
]
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.DenseHeadDistiller',
    student='configs/_base_/models/gfl_r18_fpn_voc.py',
    teacher='configs/_base_/models/gfl_r101_fpn_voc.py',
    teacher_checkpoint='work_dirs/teachers/gfl_r101_fpn_1x_voc0712/'
    'weights.pth')
