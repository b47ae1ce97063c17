# Activation-boundary transfer (method id `ab`), METHODS.md §1.6, Heo et al.
# AAAI 2019: stage 1 ("initialisation") trains the student backbone and the
# connectors with the AB hinge loss only, no cross-entropy; stage 2 trains
# the student with its cross-entropy. Choice: stage 2 is CE only, as the
# paper's use of AB as an initialisation (mmrazor adds KD, which would mix
# in a second method).
# Taps: the last block of each stage, its second conv *before* BN and
# residual (pre-activation; as mmrazor taps conv3 of bottlenecks) on both
# sides; connector 1x1 conv + BN to the teacher's channels. Margin μ = 1.
# Weight: mmrazor's 3/(1000·N)-scaled sum (loss_weight 0.003 of the summed
# per-sample hinge), stage weights 1, 1/2, 1/4, 1/8 from deepest to
# shallowest. Budget: 1 epoch AB + the baseline's 3 epochs of CE.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini_stages.py']
budget = '1 ep AB + 3 ep CE'
model = dict(
    distill_losses={
        f'ab{i}': dict(type='kdbench.ActivationBoundaryLoss', margin=1.0,
                       loss_weight=0.003 / 2 ** (4 - i),
                       student=f'backbone.layer{i}.1.conv2',
                       teacher=f'backbone.layer{i}.1.conv2',
                       connector=dict(type='kdbench.ConvAdapter'))
        for i in (1, 2, 3, 4)
    },
    stages=[
        dict(name='ab_init', end=1, losses=['ab1', 'ab2', 'ab3', 'ab4'],
             task_loss=False, trainable=['student.backbone', 'connectors']),
        dict(name='task', end=4, trainable=['student']),
    ])
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
# one cosine cycle per stage (the task stage restarts at the base lr)
param_scheduler = [
    dict(type='CosineRestartLR', periods=[1, 3], restart_weights=[1, 1],
         eta_min=1e-3, by_epoch=True, convert_to_iter_based=True),
]
