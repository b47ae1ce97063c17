# Segmentation transfer of a tiny backbone, full scale (task `transfer_seg`
# of configs/benchmarks/transfer_in1k.py): MobileNetV2 x0.35 pretrained on
# ImageNet at r160 with mmseg's all-MLP SegformerHead fusing stages
# 3 / 5 / 7 (strides 8 / 16 / 32, as the mini config), the whole network
# fine-tuned on Cityscapes; mIoU on the 500 val images.
# METHODS.md §5.3 names no segmentation task or recipe for tiny networks,
# so mmseg's defaults are used:
# - data: mmseg's Cityscapes dataset config (512x1024 crops of 0.5-2.0
#   rescaled 2048x1024 images; whole-image test at 2048x1024);
# - schedule: mmseg's 80k-iteration schedule of its MobileNetV2 Cityscapes
#   configs (SGD 0.01, momentum 0.9, wd 5e-4, poly), batch 8;
# - head: SegformerHead at 256 channels (mmseg's MiT-B0 head), dropout 0.1.
# Batch 8 on one GPU rather than mmseg's 4 GPUs x 2 with SyncBN: the
# backbone's norms are plain BatchNorm, so one GPU lets every BN see the
# 8 images that SyncBN would; the head uses BN too.
_base_ = [
    '../../_base_/models/segformer-head_mbv2-w0.35.py',
    '../../_base_/datasets/cityscapes.py',
    '../../_base_/schedules/cityscapes_80k.py',
    '../../_base_/seg_runtime.py',
    '../../_base_/tiny_in1k_backbone_init.py',
]
# the backbone from an ImageNet r160 pretraining run
model = dict(backbone=dict(init_cfg={{_base_.tiny_in1k_init}}))
train_dataloader = dict(batch_size=8, num_workers=4)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=8000,
                                     max_keep_ckpts=2))
# the backbone's final 1x1 conv (out index 7) is not used by the head
find_unused_parameters = True
