# Ablation of NetDistiller (method id `netdistiller_no_ud`), the paper's
# "NetDistiller w/o UD": in-situ distillation and gradient surgery as
# netdistiller_*, without uncertainty-aware distillation (after the
# one-epoch label warm-up the student always distills from the in-situ
# teacher), on the plain network's 10-epoch schedule, as the paper trains
# it for 180 epochs.
_base_ = ['./netdistiller_mbv2-w0.35_1xb128-20e_canvas64-mini.py']
model = dict(uncertainty_threshold=None)
max_epochs = 10
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         eta_min=1e-4, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='kdbench.NetDistillerScheduleHook', label_warmup=0.1)]
budget = None
