# Channel-wise distillation on the logit maps (method id `cwd`), Shu et al.
# ICCV 2021, pspnet R-101-d8 -> R-18-d8 on Cityscapes: kdbench.CWDLoss on
# decode_head.conv_seg, τ = 4, weight 3 (the paper's setting).
_base_ = ['../../_base_/distillers/pspnet_r101-d8_pspnet_r18-d8_cityscapes.py']
model = dict(
    distill_losses=dict(
        cwd=dict(type='kdbench.CWDLoss', tau=4.0, loss_weight=3.0,
                 student='decode_head.conv_seg',
                 teacher='decode_head.conv_seg')))
