# KD with logit standardisation (method id `kd_ls`), Sun et al. CVPR 2024:
# both sides' logits z-scored over the classes before the temperature;
# the official CIFAR recipe: base temperature 2, KD weight 9, student CE
# weight 0.1 (mdistiller's KD default).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    student_loss_weight=0.1,
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=2.0, loss_weight=9.0,
                logit_standardization=True,
                student='head.fc', teacher='head.fc')))
