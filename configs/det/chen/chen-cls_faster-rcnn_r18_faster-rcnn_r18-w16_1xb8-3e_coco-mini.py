# Chen et al. 2017 ablation (method id `chen_cls`): only the weighted soft
# classification term (RPN and RCN, μ = 0.5, w0 = 1.5, T = 1); bounded
# regression and hint switched off.
_base_ = ['./chen_faster-rcnn_r18_faster-rcnn_r18-w16_1xb8-3e_coco-mini.py']
model = dict(reg=None, distill_losses=dict(_delete_=True))
