# Teacher of the mini segmentation benchmark: PSPNet R-18-d8 (full width),
# the students' schedule (1500 iterations at batch 8, mini_seg_1500i.py)
# without their gradient clip. tools/benchmark.py trains it once and caches
# work_dirs/teachers/pspnet_r18-d8_1xb8-1500i_cityscapes-mini/weights.pth.
_base_ = [
    '../../_base_/models/pspnet_r18-d8_mini.py',
    '../../_base_/datasets/mini_cityscapes.py',
    '../../_base_/schedules/mini_seg_1500i.py',
    '../../_base_/seg_runtime.py',
]
# the teacher trains unclipped (the students' clip is for their
# distillation terms)
optim_wrapper = dict(clip_grad=None)
default_hooks = dict(checkpoint=dict(interval=500))
