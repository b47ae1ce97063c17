# Chen et al. 2017 ablation (method id `chen_reg`): only the teacher-bounded
# L2 regression term (RPN and RCN, ν = 0.5, m = 0); soft classification and
# hint switched off (hard classification losses unscaled).
_base_ = ['./chen_faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_coco-mini.py']
model = dict(cls=None, distill_losses=dict(_delete_=True))
