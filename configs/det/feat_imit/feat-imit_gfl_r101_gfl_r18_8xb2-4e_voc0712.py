# Feature imitation (method id `feat_imit`), METHODS.md §3.3: HintLoss
# (½·MSE) on all FPN levels (256 ch both sides) inside ground-truth boxes,
# weight 4.0: 2.0 x MSE, the strength of HikariTJU's masked imitation
# (IMLoss, loss_weight 2.0 on F.mse_loss, which has no ½, in their R-50 /
# LDHead configs; their GFLv1 R-101 -> R-18 IMHead configs use 0.2 over all
# locations).
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r18_voc0712.py']
model = dict(
    feat_imit=dict(
        loss=dict(type='kdbench.HintLoss', loss_weight=4.0, reduction='mean'),
        mask='gt_boxes'))
