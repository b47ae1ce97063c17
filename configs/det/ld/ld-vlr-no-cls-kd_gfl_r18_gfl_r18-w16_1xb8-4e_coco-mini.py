# Ablation of `ld_vlr` (method id `ld_vlr_no_cls_kd`): LD on the main
# region plus the valuable localization region, exactly as ld-vlr_*, without
# the classification KD term; with configs/det/cls_kd/ (class KD alone) it
# tells which of the recipe's terms moves the score.
_base_ = ['./ld-vlr_gfl_r18_gfl_r18-w16_1xb8-4e_coco-mini.py']
model = dict(cls_kd=None)
