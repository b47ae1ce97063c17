# Be Your Own Teacher (method id `byot`), METHODS.md §2.4, mini track: the
# R-18 w8 student on mini Fashion-MNIST with a shallow classifier (SepConv
# bottleneck + pooling + FC) after stages 1-3; same data, 3-epoch schedule
# and batch 64 as the plain student (configs/cls/baseline/), one network,
# no teacher. Per shallow classifier: 0.7·CE + 0.3·T²·KL(q_C‖q_i), T = 3,
# + λ·½‖F_i − F_C‖² with λ = 0.03 / 0.03 / 0 (mmrazor's weights, the
# paper's squared L2; see kdbench.BYOTBranches). The deepest classifier
# (the student's own head, CE only) is evaluated, reported and exported;
# the branches are dropped. Authors'-code variant: views.kd.loss_weight =
# 0.3 / 9 (no T²) and views.hint_weights = (0, 0, 0).
_base_ = ['../../_base_/distillers/self_r18-w8_fmnist-mini.py']
model = dict(
    views=dict(
        type='kdbench.BYOTBranches',
        stages=('backbone.layer1', 'backbone.layer2', 'backbone.layer3'),
        deep_feature='neck',
        logits='head.fc',
        ce_weight=0.7,
        kd=dict(type='kdbench.KDLoss', tau=3.0, loss_weight=0.3),
        hint=dict(type='kdbench.HintLoss', reduction='batchmean'),
        hint_weights=(0.03, 0.03, 0.0)))
