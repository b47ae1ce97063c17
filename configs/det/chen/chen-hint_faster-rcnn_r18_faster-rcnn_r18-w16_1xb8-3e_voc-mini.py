# Chen et al. 2017 ablation (method id `chen_hint`): only the hint (backbone
# C4 through a 1x1 adapter, L2, γ = 0.5); soft classification and bounded
# regression switched off.
_base_ = ['./chen_faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_voc-mini.py']
model = dict(cls=None, reg=None)
