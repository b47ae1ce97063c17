# PKD (method id `pkd`), Cao et al. NeurIPS 2022: kdbench.PKDLoss (½·MSE of
# channel-standardised maps, i.e. 1 - Pearson ρ) on each of the mini GFL's
# 3 FPN levels, weight 6 as mmrazor's PKD detection recipes (a mean over
# standardised elements: no rescaling for the mini maps). GFL's own losses
# kept.
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
model = dict(distill_losses={
    f'pkd_fpn{i}': dict(type='kdbench.PKDLoss', loss_weight=6.0,
                        student=f'neck.fpn_convs.{i}',
                        teacher=f'neck.fpn_convs.{i}')
    for i in range(3)})
