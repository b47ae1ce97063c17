# LD, main region (method id `ld`), METHODS.md §3.2, as mmdet's LDHead:
# 17-bin box-edge KL, τ = 10, weight 0.25, on the student's ATSS
# positives, weighted by its max class score, divided by 4.
# The R-18 config with the GFL R-50 student (as mmdet's ld_r50 config).
_base_ = ['./ld_gfl_r101_gfl_r18_8xb2-1x_coco.py']
model = dict(student='configs/_base_/models/gfl_r50_fpn.py')
