# Teacher of the mini segmentation benchmark: PSPNet R-18-d8 (full width),
# 2x the students' schedule (1500 iterations at batch 8). tools/benchmark.py
# trains it once and caches
# work_dirs/teachers/pspnet_r18-d8_1xb8-1500i_cityscapes-mini/weights.pth.
_base_ = [
    '../../_base_/models/pspnet_r18-d8_mini.py',
    '../../_base_/datasets/mini_cityscapes.py',
    '../../_base_/schedules/mini_seg.py',
    '../../_base_/seg_runtime.py',
]
max_iters = 1500
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=50),
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# the teacher trains unclipped (the students' clip is for their
# distillation terms)
optim_wrapper = dict(clip_grad=None)
default_hooks = dict(checkpoint=dict(interval=500))
