# Plain gfl R50 FPN student on COCO (method id `baseline`), with the
# schedule of its distillers (1x, SGD 0.01 at batch 16); also the config
# that evaluates a distilled student's weights.pth with tools/test.py.
_base_ = [
    '../../_base_/models/gfl_r50_fpn.py',
    '../../_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../../_base_/det_runtime.py',
]
optim_wrapper = dict(optimizer=dict(lr=0.01))
