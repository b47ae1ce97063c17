# Attention Transfer on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md
# §1.5): p = 2 attention of layer1..4, β = 1e3 (loss_weight β/2 per stage),
# plus the student CE. Paper: top-1 error 30.4 -> 29.3 [unverified].
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    distill_losses={
        f'at{i}': dict(type='kdbench.ATLoss', p=2, loss_weight=500.0,
                       student=f'backbone.layer{i}',
                       teacher=f'backbone.layer{i}')
        for i in range(1, 5)
    })
