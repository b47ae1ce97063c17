# FitNets (method id `fitnets`), METHODS.md §1.2, single-stage joint variant
# (as mmrazor): hint loss from the teacher's layer3 to the student's layer3
# through a 1x1 conv + BN regressor (channels inferred: 32 -> 64), plus the
# KD term of FitNets' second stage (T = 4, as `kd`). The hint uses the
# element-mean form ½·mean((u - r(v))²) so its weight is scale-free; chosen
# weight 1.0 (the paper's summed form is orders of magnitude larger).
_base_ = ['../kd/kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        hint=dict(type='kdbench.HintLoss', reduction='mean', loss_weight=1.0,
                  student='backbone.layer3', teacher='backbone.layer3',
                  connector=dict(type='kdbench.ConvAdapter'))))
