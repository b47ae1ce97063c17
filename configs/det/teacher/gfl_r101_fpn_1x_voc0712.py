# VOC 07+12 teacher of the full gfl VOC pairs: gfl R-101 FPN (ImageNet-
# pretrained backbone), mmdet's VOC schedule. Its weights.pth is the
# teacher_checkpoint of configs/_base_/distillers/gfl_r101_*_voc0712.py
# (tools/benchmark.py caches it in work_dirs/teachers/).
_base_ = [
    '../../_base_/models/gfl_r101_fpn_voc.py',
    '../../_base_/datasets/voc0712.py',
    '../../_base_/schedules/voc_det_1x.py',
    '../../_base_/det_runtime.py',
]
