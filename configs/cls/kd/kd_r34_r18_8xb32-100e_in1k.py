# Hinton KD on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.1),
# mmrazor's setting: τ = 1, KD weight 3, plus the student CE (weight 1).
# Published (mmrazor metafile): 69.90 -> 71.81, teacher 73.62.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=3.0,
                student='head.fc', teacher='head.fc')))
