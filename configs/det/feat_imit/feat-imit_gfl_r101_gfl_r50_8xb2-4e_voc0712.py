# Feature imitation (method id `feat_imit`), METHODS.md §3.3: HintLoss
# (½·MSE) on all FPN levels (256 ch both sides) inside ground-truth boxes,
# weight 2.0.
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r50_voc0712.py']
model = dict(
    feat_imit=dict(
        loss=dict(type='kdbench.HintLoss', loss_weight=2.0, reduction='mean'),
        mask='gt_boxes'))
