# Mini dense-detection pair: teacher GFL R-18 (cached by tools/benchmark.py)
# -> student GFL R-18 w16, 4 epochs on the 1200 mini VOC 07+12 scenes. Method
# configs switch on ld / ld_vlr / cls_kd / feat_imit of
# kdbench.DenseHeadDistiller.
_base_ = [
    '../datasets/mini_voc0712.py',
    '../schedules/mini_det.py',
    '../det_runtime.py',
]
# kdbench.det holds the detection distillers (it imports mmdet)
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.DenseHeadDistiller',
    student='configs/_base_/models/gfl_r18-w16-fpn64_mini.py',
    teacher='configs/_base_/models/gfl_r18-fpn64_mini.py',
    teacher_checkpoint='work_dirs/teachers/gfl_r18_1xb8-16e_voc-mini/'
    'weights.pth')
