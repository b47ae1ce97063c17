# Mini classification schedule: a few epochs of SGD with a 20-iteration
# warm-up and cosine decay stepped every iteration (down to eta_min at the
# last iteration: stepped per epoch, the whole last epoch ran at lr 0.026
# and the seeds' spread was 2.5-5x larger); validation (the validation
# split) after every epoch, the test split once after training.
max_epochs = 3
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
                   nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
