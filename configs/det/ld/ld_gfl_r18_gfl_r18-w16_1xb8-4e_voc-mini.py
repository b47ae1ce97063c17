# Localization Distillation, main region only (method id `ld`), METHODS.md
# §3.2, as mmdet's LDHead: KL of the box-edge distributions (8 bins: the
# mini GFL's reg_max 7, sized to the mini objects, see
# configs/_base_/models/gfl_r18-fpn64_mini.py), τ = 10, on the student
# assigner's positives, each weighted by the student's max class score,
# divided by 4; GFL's own QFL / GIoU / DFL kept.
# Weight 0.25 x 8 / 17: the KL is averaged over the bins (mmdet's
# KnowledgeDistillationKLDivLoss), so the paper's 0.25 over 17 bins is
# 0.25 / 17 per unit of summed KL; over 8 bins the same strength is
# 0.25 x 8 / 17 (= 0.118).
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
ld_weight = 0.25 * 8 / 17  # mmdet's 0.25 at 17 bins, for 8 bins
model = dict(
    ld=dict(type='kdbench.DistributionKLLoss', tau=10.0,
            loss_weight=ld_weight))
