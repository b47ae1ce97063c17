# Structured KD, all three terms (method id `skd_full`), METHODS.md §4:
# pixel-wise + pair-wise + holistic. The holistic critic is a spectral-norm
# SAGAN-style discriminator on the score maps (no image, as the official
# code), λ_d = 0.1, gradient penalty 10, one critic step per student step.
# Critic SGD lr 4e-4, student SGD lr 1e-2, both momentum 0.9, wd 5e-4, poly.
_base_ = ['./skd-pi-pa_deeplabv3_r101-d8_deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py']
model = dict(
    critic=dict(type='kdbench.ScoreMapDiscriminator', with_image=False),
    critic_weight=0.1,
    gp_weight=10.0)
optim_wrapper = dict(
    _delete_=True,
    constructor='kdbench.MultiOptimWrapperConstructor',
    student=dict(type='OptimWrapper', optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
    critic=dict(type='OptimWrapper', optimizer=dict(
        type='SGD', lr=4e-4, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(
    _delete_=True,
    student=[dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0,
                  end=80000, by_epoch=False)],
    critic=[dict(type='PolyLR', eta_min=0, power=0.9, begin=0,
                 end=80000, by_epoch=False)])
# one DDP wrapper per part (student, critic) under a launcher
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
