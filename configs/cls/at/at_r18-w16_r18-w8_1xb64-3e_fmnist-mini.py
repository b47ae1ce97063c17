# Attention Transfer (method id `at`), METHODS.md §1.5: activation-based
# attention (p = 2) of every residual stage (layer1..4, 28/14/7/4 px), the
# reference code's squared-difference form with β = 1e3 (loss_weight β/2
# per stage), plus the student's CE (no KD term, as the paper's "AT").
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses={
        f'at{i}': dict(type='kdbench.ATLoss', p=2, loss_weight=500.0,
                       student=f'backbone.layer{i}',
                       teacher=f'backbone.layer{i}')
        for i in range(1, 5)
    })
