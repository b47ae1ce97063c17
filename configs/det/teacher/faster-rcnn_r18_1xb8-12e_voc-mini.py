# Teacher of the mini two-stage detection benchmark: Faster R-CNN R-18 (64-ch FPN, 256-wide head),
# 4x the students' schedule (12 epochs, 1800 iterations) on the 1200 mini
# VOC 07+12 scenes. tools/benchmark.py trains it once and caches
# work_dirs/teachers/faster-rcnn_r18_1xb8-12e_voc-mini/weights.pth.
_base_ = [
    '../../_base_/models/faster-rcnn_r18-fpn64_mini.py',
    '../../_base_/datasets/mini_voc0712.py',
    '../../_base_/schedules/mini_det.py',
    '../../_base_/det_runtime.py',
]
max_epochs = 12
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=3))
