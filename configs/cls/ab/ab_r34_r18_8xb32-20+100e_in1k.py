# Activation-boundary transfer on ImageNet-1k, ResNet-34 -> ResNet-18
# (METHODS.md §1.6): 20 epochs of AB initialisation (mmrazor's length, no
# CE), then the standard 100-epoch CE recipe (our choice: CE only, mmrazor
# adds KD). Taps: the last block's conv2 (pre-BN) of each stage; connector
# 1x1 conv + BN; μ = 1; mmrazor's 3/(1000·N) scale and stage weights 1, 1/2,
# 1/4, 1/8 from deepest to shallowest. mmrazor: 69.90 -> 69.94.
_base_ = ['../../_base_/distillers/r34_r18_in1k_stages.py']
budget = '20 ep AB + 100 ep CE'
_teacher_last = {1: 2, 2: 3, 3: 5, 4: 2}  # last block index stage
model = dict(
    distill_losses={
        f'ab{i}': dict(type='kdbench.ActivationBoundaryLoss', margin=1.0,
                       loss_weight=0.003 / 2 ** (4 - i),
                       student=f'backbone.layer{i}.1.conv2',
                       teacher=f'backbone.layer{i}.{_teacher_last[i]}.conv2',
                       connector=dict(type='kdbench.ConvAdapter'))
        for i in (1, 2, 3, 4)
    },
    stages=[
        dict(name='ab_init', end=20, losses=['ab1', 'ab2', 'ab3', 'ab4'],
             task_loss=False, trainable=['student.backbone', 'connectors']),
        dict(name='task', end=120, trainable=['student']),
    ])
train_cfg = dict(max_epochs=120)
param_scheduler = dict(type='MultiStepLR', by_epoch=True, begin=20, end=120,
                       milestones=[30, 60, 90], gamma=0.1)
