# Localization Distillation, main region only (method id `ld`), METHODS.md
# §3.2, as mmdet's LDHead: KL of the 17-bin box-edge distributions, τ = 10,
# weight 0.25, on the student assigner's positives, each weighted by the
# student's max class score, divided by 4; GFL's own QFL / GIoU / DFL kept.
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
model = dict(
    ld=dict(type='kdbench.DistributionKLLoss', tau=10.0, loss_weight=0.25))
