# Be Your Own Teacher (method id `byot`), METHODS.md §2.4, full track:
# CIFAR-100, CIFAR ResNet-18 (mmpretrain ResNet_CIFAR depth 18: 3x3 stem,
# no max-pool, as the authors' resnet.py) with shallow classifiers after
# stages 1-3. Loss as the mini config (0.7·CE + 0.3·T²·KL, T = 3, feature
# hint 0.03 / 0.03 / 0). Schedule of the authors' train.py [C]: SGD lr 0.1,
# momentum 0.9, weight decay 5e-4, batch 128, 250 epochs, lr ÷10 at epochs
# 83, 166 and 240. AutoAugment + Cutout (on in the authors' code) are left
# out: standard crop + flip, as the paper's baselines (METHODS pitfall).
# Published (paper, classifier 4/4): 77.09 -> 78.64 (ensemble 79.67).
# The deepest classifier is reported (last epoch) and exported.
_base_ = ['../../_base_/distillers/self_r18_cifar100.py']
model = dict(
    views=dict(
        type='kdbench.BYOTBranches',
        stages=('backbone.layer1', 'backbone.layer2', 'backbone.layer3'),
        ce_weight=0.7,
        kd=dict(type='kdbench.KDLoss', tau=3.0, loss_weight=0.3),
        hint=dict(type='kdbench.HintLoss', reduction='batchmean'),
        hint_weights=(0.03, 0.03, 0.0)))
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True,
                       milestones=[83, 166, 240], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=250, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
