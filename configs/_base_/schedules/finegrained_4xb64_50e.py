# NetAug's fine-grained transfer schedule for MobileNetV2 (METHODS.md
# §5.3): 50 epochs + 5 linear warm-up epochs (counted apart, as the
# pretraining's "150 + 5"), cosine, batch 64 x 4 GPUs, lr 0.10 per GPU for
# MobileNetV2 = 0.4 at batch 256. Not stated by §5.3 and taken from the
# ImageNet pretraining recipe (§5.1): SGD Nesterov momentum 0.9, weight
# decay 4e-5 without decay on biases and norms. Validation every 5 epochs.
max_epochs = 55
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=4e-5,
                   nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=max_epochs,
         eta_min=0.0, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
