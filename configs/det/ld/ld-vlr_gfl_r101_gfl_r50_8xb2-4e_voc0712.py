# LD, main + valuable localization region + main-region class KD (method id
# `ld_vlr`), METHODS.md §3.2, HikariTJU's recipe: VLR LD τ = 10, w 0.25,
# α = 0.25, IoU-weighted, /16; class KD τ = 2, w 10.
# The R-18 config with the GFL R-50 student (as mmdet's ld_r50 config).
_base_ = ['./ld-vlr_gfl_r101_gfl_r18_8xb2-4e_voc0712.py']
model = dict(student='configs/_base_/models/gfl_r50_fpn_voc.py')
