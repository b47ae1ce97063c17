# FitNets on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.2), joint
# single-stage variant: hints on layer3 and layer4 through 1x1 conv + BN
# regressors (½·element-mean squared error, weight 10 each, as SSKD's
# ImageNet weight), plus the KD term of `kd` (τ = 1, weight 3).
_base_ = ['../kd/kd_r34_r18_8xb32-100e_in1k.py']
model = dict(
    distill_losses=dict(
        hint3=dict(type='kdbench.HintLoss', reduction='mean',
                   loss_weight=10.0, student='backbone.layer3',
                   teacher='backbone.layer3',
                   connector=dict(type='kdbench.ConvAdapter')),
        hint4=dict(type='kdbench.HintLoss', reduction='mean',
                   loss_weight=10.0, student='backbone.layer4',
                   teacher='backbone.layer4',
                   connector=dict(type='kdbench.ConvAdapter'))))
