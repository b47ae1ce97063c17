# KD with logit standardisation on ImageNet-1k, ResNet-34 -> ResNet-18, the
# official recipe (configs/imagenet/r34_r18/kd_ours.yaml): T = 1 on
# z-scored logits, CE weight 0.5, KD weight 0.5. Published: 71.42.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    student_loss_weight=0.5,
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=0.5,
                logit_standardization=True,
                student='head.fc', teacher='head.fc')))
