# MGD on the 5 FPN levels (method id `mgd`), Yang et al. ECCV 2022, GFL
# GFL R-18: mask ratio λ = 0.65, α = 2e-5, the paper's detection
# setting.
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r18_coco.py']
model = dict(distill_losses={
    f'mgd_fpn{i}': dict(type='kdbench.MGDLoss', loss_weight=2e-5,
                        student=f'neck.fpn_convs.{i}',
                        teacher=f'neck.fpn_convs.{i}',
                        connector=dict(type='kdbench.MGDGenerator',
                                       mask_ratio=0.65))
    for i in range(5)})
