# Structured KD, pixel-wise + pair-wise (method id `skd_pi_pa`) on the mini
# pair, METHODS.md §4: the pair-wise term on the PSP fused feature, cosine
# affinity of 2x2-position nodes (an 8x8 graph on the 16x16 map of a 128x128
# crop), weight 1.0 (the master branch default; its run script uses 0.5).
_base_ = ['./skd-pi_pspnet_r18-d8_pspnet_r18-w16-d8_1xb8-1500i_cityscapes-mini.py']
model = dict(
    distill_losses=dict(
        pa=dict(type='kdbench.PairwiseAffinityLoss', node_size=2,
                loss_weight=1.0, student='decode_head.bottleneck',
                teacher='decode_head.bottleneck')))
