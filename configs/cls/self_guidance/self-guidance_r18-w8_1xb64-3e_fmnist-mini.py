# Self-Guidance (method id `self_guidance`), METHODS.md §2.5 (seed 001),
# mini track: the R-18 w8 student on mini Fashion-MNIST, same data, 3-epoch
# schedule and batch 64 as the plain student; two forward passes per step
# through the same weights. L = CE(sub-network) + CE(full network)
# + λ·τ²·KL(p^T‖p^S), τ = 3, λ = 0.25; the full network (teacher) runs the
# stochastic-depth test rule, the sub-network drops residual block l with
# probability 1 − p_l, p_l = 1 − (l/L)(1 − p_L), p_L = 0.5 over the 8
# blocks. Teacher detached (ablation: views.kd.detach_teacher=False).
# Deployed: the full network under the test rule, p_l folded into the
# exported weights (see kdbench.SelfGuidanceView).
_base_ = ['../../_base_/distillers/self_r18-w8_fmnist-mini.py']
model = dict(
    views=dict(
        type='kdbench.SelfGuidanceView',
        backbone='backbone',
        logits='head.fc',
        survival_last=0.5,
        kd=dict(type='kdbench.OnlineKDLoss', tau=3.0, loss_weight=0.25,
                detach_teacher=True)))
