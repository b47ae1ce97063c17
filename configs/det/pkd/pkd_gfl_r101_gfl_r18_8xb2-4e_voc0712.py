# PKD on the 5 FPN levels (method id `pkd`), Cao et al. NeurIPS 2022, GFL
# GFL R-18: weight 6, mmrazor's PKD detection recipes.
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r18_voc0712.py']
model = dict(distill_losses={
    f'pkd_fpn{i}': dict(type='kdbench.PKDLoss', loss_weight=6.0,
                        student=f'neck.fpn_convs.{i}',
                        teacher=f'neck.fpn_convs.{i}')
    for i in range(5)})
