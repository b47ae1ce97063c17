# Mini transfer suite of the tiny track (METHODS.md §5.3): the MobileNetV2
# x0.35 backbones pretrained by each method of configs/benchmarks/
# tiny_mini.py (one per seed) fine-tuned on mini VOC detection (YOLOv3,
# AP50), mini Cityscapes-layout segmentation (mIoU) and the optical
# handwritten digits of scikit-learn (classification, top-1).
#   python tools/transfer.py configs/benchmarks/transfer_mini.py
benchmark = 'mini'
title = 'Transfer leaderboard'
leaderboard = 'leaderboards/transfer.md'
pretraining = 'configs/benchmarks/tiny_mini.py'
# baseline_20e: the plain network pretrained as long as `netdistiller`
# (20 epochs, 2x the others), the row its backbone compares with
methods = ['baseline', 'baseline_20e', 'kd', 'netaug', 'netdistiller',
           'netaug_kd', 'netdistiller_kd']
# every task validates on its own validation split (mini VOC's holdout
# scenes, mini Cityscapes' holdout scenes, 200 of the digits) and reports
# its test split (VOC2007 test, the Cityscapes `val` scenes, 500 digits),
# evaluated once after training
validation_split = True
seeds = [0, 1, 2, 3, 4]
# one thread per run, two runs side by side (thread counts change results)
threads = 1
jobs = 2
# a fine-tuning of seed s starts from pretraining seed s and shares the
# head's initialisation and the data order with every method's seed s:
# Δ is paired by seed; each method is compared with its pretraining
# reference (netdistiller with baseline_20e, as in tiny_mini.py)
paired = True
cfg_options = {'randomness.deterministic': True}
tasks = dict(
    transfer_det=dict(
        config='configs/transfer/det/yolov3_mbv2-w0.35_1xb8-8e_voc-mini.py',
        dataset='voc0712', metric='AP50', metric_key='pascal_voc/mAP',
        metric_scale=100),
    transfer_seg=dict(
        config='configs/transfer/seg/'
        'segformer-head_mbv2-w0.35_1xb8-1500i_cityscapes-mini.py',
        dataset='cityscapes', metric='mIoU', metric_key='mIoU'),
    transfer_cls=dict(
        config='configs/transfer/cls/mbv2-w0.35_1xb64-20e_digits-mini.py',
        dataset='optical_digits', metric='top1',
        metric_key='accuracy/top1'),
)
