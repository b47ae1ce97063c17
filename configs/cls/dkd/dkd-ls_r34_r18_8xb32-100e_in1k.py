# DKD with logit standardisation on ImageNet-1k, ResNet-34 -> ResNet-18:
# the `dkd` recipe with z-scored logits (Sun et al. CVPR 2024); the
# official code releases no ImageNet DKD + ours config, so T stays DKD's 1.
_base_ = ['./dkd_r34_r18_8xb32-100e_in1k.py']
model = dict(distill_losses=dict(dkd=dict(logit_standardization=True)))
