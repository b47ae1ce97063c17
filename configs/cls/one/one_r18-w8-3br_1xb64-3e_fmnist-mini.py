# On-the-fly Native Ensemble (method id `one`), METHODS.md §2.3: the R-18 w8
# student with its last stage (layer4) and classifier split into m = 3
# branches, gate FC-BN-ReLU-softmax on the pooled shared layer3 feature,
# L = Σ CE_i + CE_e + w(e)·T²·Σ KL(p̃_e‖p̃_i), T = 3, target detached.
# The code ramps w(e) up over the first 80 of 300 epochs; scaled to this
# 3-epoch schedule: 80/300 · 3 = 0.8 epochs.
# Budget: the plain student's 3-epoch schedule and batch 64 (one network with
# two extra layer4 + fc copies). Branch 0 is validated and exported
# (weights.pth loads into configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py).
_base_ = [
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
budget = '3 ep, 3 branches + gate'
model = dict(
    type='kdbench.OnlineDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py',
    num_members=1,
    scheme=dict(type='kdbench.NativeEnsembleScheme', num_branches=3,
                branch_stage='backbone.layer4', tau=3.0, loss_weight=1.0,
                rampup_epochs=0.8))
