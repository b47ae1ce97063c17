# RKD on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.8), mmrazor's
# setting: L2-normalised `neck.gap` embeddings, λ_D = 25, λ_A = 50, plus the
# student CE. Published (mmrazor): 69.90 -> 70.23.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    distill_losses=dict(
        rkd=dict(type='kdbench.RKDLoss', distance_weight=25.0,
                 angle_weight=50.0, l2_normalize=True, student='neck.gap',
                 teacher='neck.gap')))
