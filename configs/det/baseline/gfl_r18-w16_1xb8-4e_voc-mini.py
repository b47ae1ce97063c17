# Plain student of the mini GFL detection benchmark (method id `baseline`):
# GFL R-18 at 1/4 width, 4 epochs (600 iterations) on the 1200 mini VOC 07+12
# scenes, the schedule every GFL-family distiller of the suite uses. Also
# the config that loads a distilled student's weights.pth in tools/test.py.
_base_ = [
    '../../_base_/models/gfl_r18-w16-fpn64_mini.py',
    '../../_base_/datasets/mini_voc0712.py',
    '../../_base_/schedules/mini_det.py',
    '../../_base_/det_runtime.py',
]
