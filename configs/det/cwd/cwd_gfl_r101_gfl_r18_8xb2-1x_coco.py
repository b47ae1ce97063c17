# Channel-wise distillation on the 5 FPN levels (method id `cwd`), Shu et
# al. ICCV 2021, GFL R-101 -> GFL R-18 (256 channels both sides): τ = 1,
# weight 10 per level, mmrazor's RetinaNet FPN recipe.
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r18_coco.py']
model = dict(distill_losses={
    f'cwd_fpn{i}': dict(type='kdbench.CWDLoss', tau=1.0, loss_weight=10.0,
                        student=f'neck.fpn_convs.{i}',
                        teacher=f'neck.fpn_convs.{i}')
    for i in range(5)})
