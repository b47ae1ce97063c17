# Deep Mutual Learning (method id `dml`), METHODS.md §2.2: two R-18 w8 peers
# trained together from scratch on mini Fashion-MNIST, each with
# L_k = CE_k + 1/(K-1) Σ_{l≠k} KL(p_l‖p_k) at T = 1 (peers detached).
# Simultaneous update of both peers per batch (see kdbench.DMLScheme).
# Budget: the plain student's 3-epoch schedule and batch 64; each step runs
# K = 2 students. Peer 0 is validated and exported (weights.pth loads into
# configs/cls/baseline/r18-w8_1xb64-3e_fmnist-mini.py).
_base_ = [
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
budget = '3 ep, 2 peers trained together'
model = dict(
    type='kdbench.OnlineDistiller',
    student='configs/_base_/models/resnet18-w8_fmnist.py',
    num_members=2,
    kept=0,
    scheme=dict(type='kdbench.DMLScheme', tau=1.0, loss_weight=1.0))
