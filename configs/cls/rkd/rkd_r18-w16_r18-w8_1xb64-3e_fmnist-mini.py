# Relational KD (method id `rkd`), METHODS.md §1.8: distance (λ_D = 25) and
# angle (λ_A = 50) relations of the L2-normalised pooled embeddings
# (`neck.gap`, 64-d student vs 128-d teacher), as mmrazor's ImageNet
# setting, plus the student CE.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        rkd=dict(type='kdbench.RKDLoss', distance_weight=25.0,
                 angle_weight=50.0, l2_normalize=True,
                 student='neck.gap', teacher='neck.gap')))
