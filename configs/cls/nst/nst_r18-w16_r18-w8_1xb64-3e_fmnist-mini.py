# Neuron Selectivity Transfer (method id `nst`), METHODS.md §1.3: MMD² with
# the polynomial kernel (d = 2, c = 0) between the per-channel normalised
# spatial maps of layer4 (64 vs 128 channels, 4x4 px), plus the student CE.
# λ is unverified in METHODS.md; chosen λ = 50 (loss_weight = λ/2 = 25).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        nst=dict(type='kdbench.NSTLoss', kernel='poly', degree=2, coef=0.0,
                 loss_weight=25.0, student='backbone.layer4',
                 teacher='backbone.layer4')))
