# Plain student trained for 4 epochs (method id `baseline_4e`): the matched
# baseline of the mini suite's stage-wise methods that add an epoch of
# their own stage to the student's 3 (ft, ab, fsp: 4 epochs in all). Same
# schedule shape as the 3-epoch baseline (warm-up + per-iteration cosine),
# stretched to the 4-epoch budget.
_base_ = ['./r18-w8_1xb64-3e_fmnist-mini.py']
budget = '4 ep (plain student)'
max_epochs = 4
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
