# Feature imitation for detection (method id `feat_imit`), METHODS.md §3.3:
# the classification hint loss (kdbench.HintLoss, ½·mean squared error) on
# every FPN level (64 channels on both sides, no adapter), restricted to
# locations whose anchor centre is inside a ground-truth box (mask choices:
# 'all', 'gt_boxes', 'main_region'); weight 4.0, i.e. 2.0 x MSE: the
# strength of HikariTJU's masked imitation (IMLoss, loss_weight 2.0 on
# F.mse_loss, which has no ½, in their R-50 / LDHead configs; their GFLv1
# R-101 -> R-18 IMHead configs use 0.2 over all locations). The earlier
# weight 2.0 here ran at half that strength.
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
model = dict(
    feat_imit=dict(
        loss=dict(type='kdbench.HintLoss', loss_weight=4.0, reduction='mean'),
        mask='gt_boxes'))
