# Teacher of the mini classification benchmark: ResNet-18 (CIFAR stem) at
# quarter width, trained 10x longer (30 epochs) on the same 5k-image
# Fashion-MNIST subset the students see. tools/benchmark.py trains it once
# and caches work_dirs/teachers/r18-w16_1xb128-30e_fmnist-mini/weights.pth.
_base_ = [
    '../../_base_/models/resnet18-w16_fmnist.py',
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
max_epochs = 30
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=1e-3, convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=128)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=5))
