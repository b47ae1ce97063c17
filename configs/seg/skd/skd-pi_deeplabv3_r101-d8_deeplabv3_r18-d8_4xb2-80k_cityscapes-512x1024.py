# Structured KD, pixel-wise term only (method id `skd_pi`), METHODS.md §4:
# teacher-as-target KL per logit pixel (1/8 resolution), T = 1, weight 10,
# ignore-label (255) pixels masked (the official code does not mask them:
# ignore_index=None, reduction='official' reproduces it).
_base_ = ['../../_base_/distillers/deeplabv3_r101-d8_deeplabv3_r18-d8_cityscapes.py']
model = dict(
    distill_losses=dict(
        pi=dict(type='kdbench.PixelwiseKDLoss', tau=1.0, loss_weight=10.0,
                ignore_index=255, student='decode_head.conv_seg',
                teacher='decode_head.conv_seg')))
