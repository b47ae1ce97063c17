# Hinton KD (method id `kd`), METHODS.md §1.1: teacher R-18 w16 -> student
# R-18 w8 on mini Fashion-MNIST. L = (1-α)·CE + α·T²·KL(p_t‖p_s), CIFAR
# convention T = 4, α = 0.9 (student CE weight 0.1, KD weight 0.9).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    student_loss_weight=0.1,
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=4.0, loss_weight=0.9,
                student='head.fc', teacher='head.fc')))
