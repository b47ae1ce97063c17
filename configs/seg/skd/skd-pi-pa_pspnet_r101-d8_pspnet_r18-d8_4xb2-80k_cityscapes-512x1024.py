# Structured KD, pixel-wise + pair-wise (method id `skd_pi_pa`), METHODS.md
# §4: the pair-wise term on the PSP fused feature, cosine affinity of
# 2x2-pixel nodes (a 32x64 graph at 1/8 of a 512x1024 crop), weight 1.0.
# The official code's node size is reached with node_size=None,
# pool_scale=0.5 (a 2x2 graph whatever the map size).
_base_ = ['./skd-pi_pspnet_r101-d8_pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py']
model = dict(
    distill_losses=dict(
        pa=dict(type='kdbench.PairwiseAffinityLoss', node_size=2,
                loss_weight=1.0, student='decode_head.bottleneck',
                teacher='decode_head.bottleneck')))
