# CRD (method id `crd`), Tian et al. ICLR 2020: teacher R-18 w16 -> student
# R-18 w8 on mini Fashion-MNIST. CE (weight 1) + β·(NCE of student vs
# teacher bank + NCE of teacher vs student bank), β = 0.8, τ = 0.07,
# 128-d embeddings of the pooled last-stage maps, bank momentum 0.5 (the
# paper's CIFAR recipe). The banks have one row per training item (5000);
# K = 2048 negatives: the paper's 16384 is a third of CIFAR's 50k, 2048
# is two fifths of the mini set's 5k (a K above the set's size would draw
# every item several times per sample).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    distill_losses=dict(
        crd=dict(type='kdbench.CRDLoss', num_samples=5000,
                 num_negatives=2048, feat_dim=128, tau=0.07, momentum=0.5,
                 loss_weight=0.8, student='backbone.layer4',
                 teacher='backbone.layer4')))
