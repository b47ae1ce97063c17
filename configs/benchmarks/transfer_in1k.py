# Full transfer suite of the tiny track (METHODS.md §5.3): the MobileNetV2
# x0.35 backbones pretrained on ImageNet at r160 by each method of
# configs/benchmarks/tiny_in1k.py (one seed) fine-tuned on
# - VOC07+12 detection with YOLOv3 at r416, AP50 on VOC07 test;
# - Cityscapes segmentation with a SegformerHead, mIoU (no §5.3 recipe:
#   mmseg's 80k schedule);
# - the five fine-grained datasets of NetAug's protocol (Food-101,
#   Flowers-102, Stanford Cars, CUB-200-2011, Oxford-IIIT Pets) at r160,
#   top-1.
#   python tools/transfer.py configs/benchmarks/transfer_in1k.py
# Each run is one tools/train.py process: the 4-GPU classification configs
# get auto_scale_lr (lr scaled to the batch the run has); detection and
# segmentation are one-GPU recipes (batch 8). Its own matrix file, since
# tools/transfer.py rewrites a suite's leaderboard from that suite's runs.
benchmark = 'full'
title = 'Transfer leaderboard (ImageNet pretraining)'
leaderboard = 'leaderboards/transfer_in1k.md'
pretraining = 'configs/benchmarks/tiny_in1k.py'
methods = ['baseline', 'kd', 'netaug', 'netdistiller', 'netaug_kd',
           'netdistiller_kd']
seeds = [0]
_cls = 'configs/transfer/cls/mbv2-w0.35_4xb64-50e_'
_scaled = {'auto_scale_lr.enable': True}
tasks = dict(
    transfer_det=dict(
        config='configs/transfer/det/'
        'yolov3_mbv2-w0.35_1xb8-ms-416-100e_voc0712.py',
        dataset='voc0712', metric='AP50', metric_key='pascal_voc/mAP',
        metric_scale=100),
    transfer_seg=dict(
        config='configs/transfer/seg/'
        'segformer-head_mbv2-w0.35_1xb8-80k_cityscapes-512x1024.py',
        dataset='cityscapes', metric='mIoU', metric_key='mIoU'),
    transfer_cls_food101=dict(
        config=_cls + 'food101-r160.py', dataset='food101', metric='top1',
        metric_key='accuracy/top1', cfg_options=_scaled),
    transfer_cls_flowers102=dict(
        config=_cls + 'flowers102-r160.py', dataset='flowers102',
        metric='top1', metric_key='accuracy/top1', cfg_options=_scaled),
    transfer_cls_cars=dict(
        config=_cls + 'stanford-cars-r160.py', dataset='stanford_cars',
        metric='top1', metric_key='accuracy/top1', cfg_options=_scaled),
    transfer_cls_cub=dict(
        config=_cls + 'cub-r160.py', dataset='cub200', metric='top1',
        metric_key='accuracy/top1', cfg_options=_scaled),
    transfer_cls_pets=dict(
        config=_cls + 'oxford-pets-r160.py', dataset='oxford_pets',
        metric='top1', metric_key='accuracy/top1', cfg_options=_scaled),
)
