# Segmentation transfer of a tiny backbone (task `transfer_seg`,
# METHODS.md §5.3): MobileNetV2 x0.35 with a light all-MLP decode head
# (mmseg's SegformerHead, 64 channels) fusing stages 3 / 5 / 7 (strides
# 8 / 16 / 32) on the mini Cityscapes-layout scenes, the whole network
# fine-tuned from the pretraining run's backbone for the mini segmentation
# schedule (750 iterations, 128x128 crops). Background weighted 0.1 as the
# mini PSPNets (docs/segmentation.md). mIoU.
_base_ = [
    '../../_base_/models/segformer-head_mbv2-w0.35.py',
    '../../_base_/datasets/mini_cityscapes.py',
    '../../_base_/schedules/mini_seg.py',
    '../../_base_/seg_runtime.py',
]
model = dict(
    data_preprocessor=dict(size=(128, 128)),
    decode_head=dict(
        channels=64,
        num_classes=11,
        loss_decode=dict(class_weight=[0.1] + [1.0] * 10,
                         avg_non_ignore=True)))
