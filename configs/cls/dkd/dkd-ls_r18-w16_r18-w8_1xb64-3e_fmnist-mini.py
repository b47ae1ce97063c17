# DKD with logit standardisation (method id `dkd_ls`), Sun et al. CVPR
# 2024: the `dkd` recipe with both sides' logits z-scored before the
# temperature, and the official code's base temperature 2 for its
# standardised logits (README: DKD + ours, --base-temp 2).
_base_ = ['./dkd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        dkd=dict(tau=2.0, logit_standardization=True)))
