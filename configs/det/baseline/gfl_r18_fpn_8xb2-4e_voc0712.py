# Plain gfl R18 FPN student on VOC 07+12 (method id `baseline`), the
# schedule of its distillers; also the config that evaluates a distilled
# student's weights.pth with tools/test.py.
_base_ = [
    '../../_base_/models/gfl_r18_fpn_voc.py',
    '../../_base_/datasets/voc0712.py',
    '../../_base_/schedules/voc_det_1x.py',
    '../../_base_/det_runtime.py',
]
