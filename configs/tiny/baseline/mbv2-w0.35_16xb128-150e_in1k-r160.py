# Plain MobileNetV2 x0.35 on ImageNet at 160 px with NetAug's schedule
# (method id `baseline`; METHODS.md §5.1 reports 56.3 top-1): 150 epochs +
# 5 warm-up, SGD Nesterov momentum 0.9, lr 0.4 at batch 2048 (16 GPUs x
# 128), cosine, wd 4e-5 without decay on biases and norms, label smoothing
# 0.1, no dropout.
_base_ = [
    '../../_base_/models/mbv2-w0.35_canvas.py',
    '../../_base_/datasets/imagenet_bs128_r160.py',
    '../../_base_/cls_runtime.py',
]
model = dict(head=dict(num_classes=1000))
max_epochs = 155
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
auto_scale_lr = dict(base_batch_size=2048)
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
