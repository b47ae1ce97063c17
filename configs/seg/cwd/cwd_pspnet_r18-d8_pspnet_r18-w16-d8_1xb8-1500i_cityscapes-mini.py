# Channel-wise distillation on the logit maps (method id `cwd`), Shu et al.
# ICCV 2021: kdbench.CWDLoss on decode_head.conv_seg (each class channel a
# spatial softmax over the 16x16 logit map of a 128x128 crop), τ = 4 and
# weight 3, the paper's Cityscapes setting (mmrazor's config uses τ = 1).
# The KL is averaged over channels and images: no rescaling for the mini
# maps.
_base_ = ['../../_base_/distillers/pspnet_r18-d8_pspnet_r18-w16-d8_cityscapes-mini.py']
model = dict(
    distill_losses=dict(
        cwd=dict(type='kdbench.CWDLoss', tau=4.0, loss_weight=3.0,
                 student='decode_head.conv_seg',
                 teacher='decode_head.conv_seg')))
