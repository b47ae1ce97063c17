# ReviewKD on ImageNet-1k, ResNet-34 -> ResNet-18, the official recipe
# (mdistiller configs/imagenet/r34_r18/reviewkd.yaml): CE weight 1,
# ReviewKD weight 1 warmed up over the first epoch, fusion width 256-512
# (min(512, deepest student width)). Stages layer1-4; the official code's
# fifth, pooled level and pre-ReLU taps are not reproduced (docstring of
# kdbench.ReviewKDLoss). Published: 69.75 -> 71.61, teacher 73.31.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
_stages = [f'backbone.layer{i}' for i in range(1, 5)]
model = dict(
    distill_losses=dict(
        reviewkd=dict(type='kdbench.ReviewKDLoss', loss_weight=1.0,
                      student=_stages, teacher=_stages,
                      weight_schedule=dict(type='kdbench.LossWeightWarmup',
                                           length=1, by_epoch=True))))
