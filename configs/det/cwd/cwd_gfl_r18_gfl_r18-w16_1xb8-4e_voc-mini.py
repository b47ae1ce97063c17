# Channel-wise distillation on FPN maps (method id `cwd`), Shu et al. ICCV
# 2021: kdbench.CWDLoss on each of the mini GFL's 3 FPN levels (64 channels
# both sides, no adapter), τ = 1 and weight 10 per level as mmrazor's
# RetinaNet FPN recipe (the KL is averaged over channels: no rescaling for
# the mini maps' size). GFL's own losses kept.
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
model = dict(distill_losses={
    f'cwd_fpn{i}': dict(type='kdbench.CWDLoss', tau=1.0, loss_weight=10.0,
                        student=f'neck.fpn_convs.{i}',
                        teacher=f'neck.fpn_convs.{i}')
    for i in range(3)})
