# Full Cityscapes pair: teacher mmseg's deeplabv3 R-101-d8 (released weights,
# 80.2 mIoU) -> student deeplabv3 R-18-d8, 512x1024 crops, 80k iterations
# at batch 8 (4 GPUs x 2), as mmseg's and mmrazor's CWD configs. Method
# configs set distill_losses (pixel-wise on decode_head.conv_seg, pair-wise
# on the ASPP fused feature decode_head.bottleneck) and the critic.
_base_ = [
    '../datasets/cityscapes.py',
    '../schedules/cityscapes_80k.py',
    '../seg_runtime.py',
]
custom_imports = dict(imports=['kdbench', 'kdbench.seg'],
                      allow_failed_imports=False)
model = dict(
    type='kdbench.StructuredKDDistiller',
    student='mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    teacher='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    teacher_checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=8000))
