# Plain student trained for 9 epochs (method id `baseline_9e`): the matched
# baseline of the mini suite's methods that train 3x the student's budget
# (ban / ban_kd_only: 3 generations x 3 epochs; sskd: 5 stages x 0.6 x 3
# epochs). Same schedule shape as the 3-epoch baseline (warm-up +
# per-iteration cosine), stretched to the 9-epoch budget.
_base_ = ['./r18-w8_1xb64-3e_fmnist-mini.py']
budget = '9 ep (plain student)'
max_epochs = 9
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
