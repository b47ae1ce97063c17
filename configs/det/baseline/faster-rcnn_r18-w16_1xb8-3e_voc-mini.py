# Plain student of the mini two-stage detection benchmark (method id `baseline`):
# Faster R-CNN R-18 at 1/4 width, 3 epochs (450 iterations) on the 1200 mini VOC 07+12
# scenes, the schedule every two-stage distiller of the suite uses. Also
# the config that loads a distilled student's weights.pth in tools/test.py.
_base_ = [
    '../../_base_/models/faster-rcnn_r18-w16-fpn64_mini.py',
    '../../_base_/datasets/mini_voc0712.py',
    '../../_base_/schedules/mini_det.py',
    '../../_base_/det_runtime.py',
]
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
