# FFSD (method id `ffsd`), METHODS.md §2.6, full track: CIFAR-100, leader +
# n = 2 common students, all mmpretrain's CIFAR ResNet-18 (ResNet_CIFAR
# depth 18; the paper's ResNet-32 / WRN-16-2 are not in mmpretrain, so the
# published 69.96 -> 74.85 is not directly comparable). Taps: the four
# stage outputs (the code taps its three CIFAR-ResNet stages).
# Code settings (SJLeo/FFSD, options.py / CIFARTrainer.py): T = 2,
# λ_div 1e-5, λ_fusion 10, λ_sd 1e3, ramp-up over 5 epochs; SGD Nesterov lr
# 0.1, momentum 0.9, weight decay 1e-4, batch 128, 300 epochs, x0.1 at 150
# and 225; fusion module weight decay 1e-5; SD modules Adam lr 1e-3 (weight
# decay 1e-4), on the same step schedule. Only the leader (member 0) is
# evaluated and exported; the last epoch is reported (the code keeps the
# best test epoch).
_base_ = [
    '../../_base_/datasets/cifar100_bs64.py',
    '../../_base_/cls_runtime.py',
]
student = 'configs/_base_/models/resnet18_cifar100.py'
model = dict(
    type='kdbench.OnlineDistiller',
    student=student,
    num_members=3,  # member 0 = leader, members 1-2 = common students
    kept=0,
    scheme=dict(type='kdbench.FFSDScheme',
                taps=('backbone.layer1', 'backbone.layer2',
                      'backbone.layer3', 'backbone.layer4'),
                tau=2.0, lambda_div=1e-5, lambda_fusion=10.0,
                lambda_sd=1000.0, alpha=1.0, rampup_epochs=5))
train_dataloader = dict(batch_size=128)
_sgd = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4,
            nesterov=True)
optim_wrapper = dict(
    constructor='kdbench.MultiOptimWrapperConstructor',
    members=dict(optimizer=_sgd),
    trans_fusion=dict(optimizer=_sgd),
    fusion=dict(optimizer=dict(_sgd, weight_decay=1e-5)),
    self_distillation=dict(
        optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4)))
param_scheduler = dict(type='MultiStepLR', by_epoch=True,
                       milestones=[150, 225], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
# under a launcher: DDP that steps each part's optimizer after one backward
model_wrapper_cfg = dict(type='kdbench.OnlineDistributedDataParallel')
