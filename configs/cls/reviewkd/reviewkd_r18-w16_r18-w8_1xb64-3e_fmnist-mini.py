# ReviewKD (method id `reviewkd`), Chen et al. CVPR 2021: teacher R-18 w16
# -> student R-18 w8 on mini Fashion-MNIST. CE (weight 1) + the
# hierarchical context losses of the attention-fused student stages
# (layer1-4, deepest first) against the teacher's, weight 1, warmed up
# over the first 1/12 of training as the official CIFAR recipe (20 of 240
# epochs; here 20 of 237 iterations). kdbench taps the stage outputs; the
# official code taps before each stage's last ReLU and adds the pooled
# feature as a fifth, 1x1 level.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
_stages = [f'backbone.layer{i}' for i in range(1, 5)]
model = dict(
    distill_losses=dict(
        reviewkd=dict(type='kdbench.ReviewKDLoss', loss_weight=1.0,
                      student=_stages, teacher=_stages,
                      weight_schedule=dict(type='kdbench.LossWeightWarmup',
                                           length=20, by_epoch=False))))
