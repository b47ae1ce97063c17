# LD, main + valuable localization region + main-region class KD (method id
# `ld_vlr`), METHODS.md §3.2, HikariTJU's recipe: VLR LD τ = 10, w 0.25,
# α = 0.25, IoU-weighted, /16; class KD τ = 2, w 10.
_base_ = ['./ld_gfl_r101_gfl_r50_8xb2-4e_voc0712.py']
model = dict(
    ld_vlr=dict(
        loss=dict(type='kdbench.DistributionKLLoss', tau=10.0,
                  loss_weight=0.25),
        alpha=0.25, topk=9),
    cls_kd=dict(type='kdbench.DistributionKLLoss', tau=2.0, loss_weight=10.0))
