# Structured KD, all three terms (method id `skd_full`) on the mini pair,
# METHODS.md §4: pixel-wise + pair-wise + holistic. The critic is the
# spectral-norm SAGAN-style discriminator on the score maps (no image, as the
# official code), λ_d = 0.1, gradient penalty 10, one critic step per student
# step. The 16x16 logit maps of a 128x128 crop are resized to 64x64 for the
# critic (four stride-2 convs and a 4x4 conv need at least 64 px).
# Critic SGD lr 4e-4, student SGD lr 1e-2, both momentum 0.9, wd 5e-4, poly.
_base_ = ['./skd-pi-pa_pspnet_r18-d8_pspnet_r18-w16-d8_1xb8-1500i_cityscapes-mini.py']
model = dict(
    critic=dict(type='kdbench.ScoreMapDiscriminator', with_image=False),
    critic_weight=0.1,
    gp_weight=10.0,
    critic_input_size=(64, 64))
optim_wrapper = dict(
    _delete_=True,
    constructor='kdbench.MultiOptimWrapperConstructor',
    # the students' clip (configs/_base_/schedules/mini_seg.py)
    student=dict(type='OptimWrapper', optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
        clip_grad=dict(max_norm=2.0, norm_type=2)),
    critic=dict(type='OptimWrapper', optimizer=dict(
        type='SGD', lr=4e-4, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=50),
        dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0,
             end={{_base_.max_iters}}, by_epoch=False)],
    critic=[dict(type='PolyLR', eta_min=0, power=0.9, begin=0,
                 end={{_base_.max_iters}}, by_epoch=False)])
# one DDP wrapper per part (student, critic) under a launcher
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
