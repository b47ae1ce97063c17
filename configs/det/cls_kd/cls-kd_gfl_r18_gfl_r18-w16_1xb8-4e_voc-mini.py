# Ablation of `ld_vlr` (method id `cls_kd`): only its classification KD
# term, the softmax KL over the class logits of the main region (τ = 2,
# weight 1.25: HikariTJU's 10 rescaled from COCO's 80 classes to the mini
# data's 10, see ld-vlr_*), averaged per FPN level and summed over levels;
# no LD.
_base_ = ['../../_base_/distillers/gfl_r18_gfl_r18-w16_voc-mini.py']
model = dict(
    cls_kd=dict(type='kdbench.DistributionKLLoss', tau=2.0, loss_weight=1.25))
