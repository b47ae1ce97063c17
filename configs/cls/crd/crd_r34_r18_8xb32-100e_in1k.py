# CRD on ImageNet-1k, ResNet-34 -> ResNet-18, the paper's recipe (and
# mdistiller's configs/imagenet/r34_r18/crd.yaml): CE weight 1, β = 0.8,
# τ = 0.07, K = 16384, 128-d embeddings, momentum 0.5; one bank row per
# training image (1,281,167). Published: 69.76 -> 71.17, teacher 73.31.
_base_ = ['../../_base_/distillers/r34_r18_in1k.py']
model = dict(
    distill_losses=dict(
        crd=dict(type='kdbench.CRDLoss', num_samples=1281167,
                 num_negatives=16384, feat_dim=128, tau=0.07, momentum=0.5,
                 loss_weight=0.8, student='backbone.layer4',
                 teacher='backbone.layer4')))
