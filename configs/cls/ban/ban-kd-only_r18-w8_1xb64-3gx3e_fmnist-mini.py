# Born-Again Networks, KD-only ablation (method id `ban_kd_only`),
# METHODS.md §2.1: as ban_r18-w8_1xb64-3gx3e_fmnist-mini.py (3 generations
# of the 3-epoch plain-student schedule, BUDGET 9 epochs) except that
# generations 1 and 2 learn from KL(p(S_{k-1}) || p(S_k)) at T = 1 alone
# (student CE weight 0; S0 still learns from the labels). METHODS could not
# verify whether the paper's main runs add the label term, so both variants
# are benchmarked and labelled.
_base_ = ['./ban_r18-w8_1xb64-3gx3e_fmnist-mini.py']
model = dict(student_loss_weight=0.0)
