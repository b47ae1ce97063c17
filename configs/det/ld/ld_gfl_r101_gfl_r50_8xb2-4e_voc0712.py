# LD, main region (method id `ld`), METHODS.md §3.2, as mmdet's LDHead:
# 17-bin box-edge KL, τ = 10, weight 0.25, on the student's ATSS
# positives, weighted by its max class score, divided by 4.
_base_ = ['../../_base_/distillers/gfl_r101_gfl_r50_voc0712.py']
model = dict(
    ld=dict(type='kdbench.DistributionKLLoss', tau=10.0, loss_weight=0.25))
