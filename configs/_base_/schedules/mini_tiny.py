# Mini tiny-network schedule: 10 epochs (780 iterations on the configs'
# fixed 10k-image subset of the items-on-canvas data at batch 128), SGD
# Nesterov momentum 0.9, lr 0.1 with a 1-epoch linear warm-up and cosine
# decay, weight decay 4e-5 without decay on biases and norms (NetAug's recipe,
# shortened); validation once at the end.
max_epochs = 10
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5,
                   nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         eta_min=1e-4, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max_epochs)
val_cfg = dict()
test_cfg = dict()
