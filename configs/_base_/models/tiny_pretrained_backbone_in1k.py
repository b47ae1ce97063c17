# The tiny-track backbone as the full-scale transfer configs start it:
# MobileNetV2 x0.35 (kdbench.SliceableMobileNetV2, plain) loaded strictly
# from an ImageNet r160 pretraining run's weights.pth (the deployed
# classifier's 'backbone.' tensors). tools/transfer.py points `checkpoint`
# at each pretraining method's run of configs/benchmarks/tiny_in1k.py; the
# default is the plain baseline's seed-0 run of that suite.
_base_ = ['./tiny_pretrained_backbone.py']
model = dict(
    backbone=dict(
        init_cfg=dict(
            checkpoint='work_dirs/benchmarks/tiny_in1k/baseline/seed0/'
            'weights.pth',
            made_by='configs/tiny/baseline/'
            'mbv2-w0.35_16xb128-150e_in1k-r160.py')))
