# On-the-fly Native Ensemble (method id `one`), METHODS.md §2.3, full track:
# CIFAR-100, mmpretrain's CIFAR ResNet-18 (ResNet_CIFAR depth 18; the
# paper's ResNet-32/110 are not in mmpretrain) with layer4 + fc split into
# m = 3 branches, T = 3, KL ramp-up over the first 80 of 300 epochs.
# Official script [C]: SGD lr 0.1 (momentum 0.9, no Nesterov), weight decay
# 1e-4 (ResNet-32 script), batch 128, 300 epochs, x0.1 at epochs 151 and
# 225. Branch 0 is evaluated and exported; the last epoch is reported (the
# code keeps the best test epoch of branch 1).
_base_ = [
    '../../_base_/datasets/cifar100_bs64.py',
    '../../_base_/cls_runtime.py',
]
student = 'configs/_base_/models/resnet18_cifar100.py'
model = dict(
    type='kdbench.OnlineDistiller',
    student=student,
    num_members=1,
    scheme=dict(type='kdbench.NativeEnsembleScheme', num_branches=3,
                branch_stage='backbone.layer4', tau=3.0, loss_weight=1.0,
                rampup_epochs=80))
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True,
                       milestones=[151, 225], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
