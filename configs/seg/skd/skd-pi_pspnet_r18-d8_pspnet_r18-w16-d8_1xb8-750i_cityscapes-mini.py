# Structured KD, pixel-wise term only (method id `skd_pi`) on the mini pair,
# METHODS.md §4: teacher-as-target KL per logit pixel (1/8 resolution, 16x16
# on a 128x128 crop), T = 1, weight 10, ignore-label (255) pixels masked
# (the padding of rescaled crops; ignore_index=None, reduction='official'
# gives the official code's unmasked, batch-summed form).
_base_ = ['../../_base_/distillers/pspnet_r18-d8_pspnet_r18-w16-d8_cityscapes-mini.py']
model = dict(
    distill_losses=dict(
        pi=dict(type='kdbench.PixelwiseKDLoss', tau=1.0, loss_weight=10.0,
                ignore_index=255, student='decode_head.conv_seg',
                teacher='decode_head.conv_seg')))
