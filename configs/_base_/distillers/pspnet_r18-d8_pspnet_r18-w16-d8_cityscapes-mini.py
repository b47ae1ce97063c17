# Mini segmentation pair: teacher PSPNet R-18-d8 (cached by
# tools/benchmark.py) -> student PSPNet R-18-d8 at 1/4 width, 1500
# iterations at batch 8 on 128x128 crops of the 1000 mini Cityscapes
# scenes. Method configs set distill_losses (pixel-wise on
# decode_head.conv_seg, pair-wise on the PSP fused feature
# decode_head.bottleneck) and the critic.
_base_ = [
    '../datasets/mini_cityscapes.py',
    '../schedules/mini_seg_1500i.py',
    '../seg_runtime.py',
]
# the class weights of both models' cross-entropy
# (configs/_base_/models/pspnet_r18-d8_mini.py), reused by the pixel-wise
# term (tests/test_seg_configs.py checks they agree)
class_weight = [0.1] + [1.0] * 10
custom_imports = dict(imports=['kdbench', 'kdbench.seg'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.StructuredKDDistiller',
    student='configs/_base_/models/pspnet_r18-w16-d8_mini.py',
    teacher='configs/_base_/models/pspnet_r18-d8_mini.py',
    teacher_checkpoint='work_dirs/teachers/'
    'pspnet_r18-d8_1xb8-1500i_cityscapes-mini/weights.pth')
