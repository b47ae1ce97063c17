# Mini two-stage pair: teacher Faster R-CNN R-18 (cached by
# tools/benchmark.py) -> student Faster R-CNN R-18 w16, 3 epochs on the
# 1000 mini COCO scenes. Method configs set cls / reg / distill_losses of
# kdbench.ChenDistiller.
_base_ = [
    '../datasets/mini_coco_detection.py',
    '../schedules/mini_det.py',
    '../det_runtime.py',
]
# kdbench.det holds the detection distillers (it imports mmdet)
custom_imports = dict(imports=['kdbench', 'kdbench.det'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.ChenDistiller',
    student='configs/_base_/models/faster-rcnn_r18-w16-fpn64_mini.py',
    teacher='configs/_base_/models/faster-rcnn_r18-fpn64_mini.py',
    teacher_checkpoint='work_dirs/teachers/faster-rcnn_r18_1xb8-12e_coco-mini/'
    'weights.pth')
# Two-stage students train 3 epochs (375 iterations; 450 on VOC): a
# Faster R-CNN step costs ~4x a GFL one on this CPU (RoI Align, RPN).
max_epochs = 3
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
