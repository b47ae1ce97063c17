# The mini tiny-network schedule (mini_tiny.py) run twice as long: 20
# epochs, the same 1-epoch warm-up and a cosine over the other 19. The
# budget of NetDistiller with uncertainty-aware distillation, which the
# paper trains for 360 epochs against 180 for the plain network, and of
# the plain network it is compared with.
_base_ = ['./mini_tiny.py']
max_epochs = 20
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         eta_min=1e-4, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
