# FFSD (method id `ffsd`), METHODS.md §2.6: leader + n = 2 common students,
# all R-18 w8, on mini Fashion-MNIST; fusion module on the detached
# concatenated layer4 maps, diversity chain S_1 -> S_2, leader distilled from
# the fusion classifier, its feature map and (via self-distillation modules)
# its shallower stages. T = 2, code weights: λ_div 1e-5, λ_fusion 10,
# λ_sd 1e3; the code ramps them over the first 5 of 300 epochs, scaled to
# this schedule: 5/300 · 3 = 0.05 epochs. Taps: the four stage outputs.
# Budget: the plain student's 3-epoch schedule and batch 64; each step trains
# 3 students + fusion module + TransFusion head + 2 SD modules. Only the
# leader (member 0) is validated and exported (weights.pth loads into
# configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py).
# Optimizers as in the code: SGD for the networks (mini schedule's SGD),
# weight decay 1e-5 for the fusion module, Adam lr 1e-3 for the SD modules;
# the mini warm-up + cosine schedule applies to every optimizer (its
# eta_min 1e-3 keeps the SD modules' Adam lr at 1e-3 after the warm-up).
_base_ = [
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
budget = '3 ep, leader + 2 students + fusion/SD modules'
model = dict(
    type='kdbench.OnlineDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py',
    num_members=3,  # member 0 = leader, members 1-2 = common students
    kept=0,
    scheme=dict(type='kdbench.FFSDScheme',
                taps=('backbone.layer1', 'backbone.layer2',
                      'backbone.layer3', 'backbone.layer4'),
                tau=2.0, lambda_div=1e-5, lambda_fusion=10.0,
                lambda_sd=1000.0, alpha=1.0, rampup_epochs=0.05))
_sgd = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
            nesterov=True)
optim_wrapper = dict(
    _delete_=True,
    constructor='kdbench.MultiOptimWrapperConstructor',
    members=dict(optimizer=_sgd),
    trans_fusion=dict(optimizer=_sgd),
    fusion=dict(optimizer=dict(_sgd, weight_decay=1e-5)),
    self_distillation=dict(
        optimizer=dict(type='Adam', lr=1e-3, weight_decay=5e-4)))
# under a launcher: DDP that steps each part's optimizer after one backward
model_wrapper_cfg = dict(type='kdbench.OnlineDistributedDataParallel')
