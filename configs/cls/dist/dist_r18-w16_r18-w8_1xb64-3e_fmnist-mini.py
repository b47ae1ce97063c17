# DIST (method id `dist`), Huang et al. NeurIPS 2022: teacher R-18 w16 ->
# student R-18 w8 on mini Fashion-MNIST. CE (weight 1) + T²·(β·inter-class
# + γ·intra-class Pearson relation losses) with the paper's CIFAR-100
# setting β = γ = 2, T = 4.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        dist=dict(type='kdbench.DISTLoss', beta=2.0, gamma=2.0, tau=4.0,
                  student='head.fc', teacher='head.fc')))
