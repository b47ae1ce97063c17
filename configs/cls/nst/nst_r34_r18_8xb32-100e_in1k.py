# NST on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.3): polynomial
# kernel MMD² on layer4 (7x7), λ = 100 as SSKD's tuned ImageNet weight
# (loss_weight = λ/2), plus the student CE. SSKD re-run: 70.76.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    distill_losses=dict(
        nst=dict(type='kdbench.NSTLoss', kernel='poly', degree=2, coef=0.0,
                 loss_weight=50.0, student='backbone.layer4',
                 teacher='backbone.layer4')))
