# Decoupled KD (method id `dkd`), Zhao et al. CVPR 2022: teacher R-18 w16 ->
# student R-18 w8 on mini Fashion-MNIST. CE (weight 1) + T²·(α·TCKD +
# β·NCKD) with the CIFAR recipe of the official code (mdistiller): α = 1,
# β = 8, T = 4, the DKD term warmed up linearly over the first 1/12 of
# training (20 of 240 CIFAR epochs; here 20 of the 237 iterations).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        dkd=dict(type='kdbench.DKDLoss', alpha=1.0, beta=8.0, tau=4.0,
                 student='head.fc', teacher='head.fc',
                 weight_schedule=dict(type='kdbench.LossWeightWarmup',
                                      length=20, by_epoch=False))))
