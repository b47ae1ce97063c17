# Plain student of the mini segmentation benchmark (method id `baseline`):
# PSPNet R-18-d8 at 1/4 width, 1500 iterations at batch 8 on 128x128 crops
# of the 1000 mini Cityscapes scenes, the schedule every Structured KD run
# of the suite uses. Also the config that loads a distilled student's
# weights.pth in tools/test.py.
_base_ = [
    '../../_base_/models/pspnet_r18-w16-d8_mini.py',
    '../../_base_/datasets/mini_cityscapes.py',
    '../../_base_/schedules/mini_seg_1500i.py',
    '../../_base_/seg_runtime.py',
]
