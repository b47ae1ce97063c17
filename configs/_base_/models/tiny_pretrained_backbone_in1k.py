# The tiny-track backbone as the full-scale transfer configs start it:
# MobileNetV2 x0.35 (kdbench.SliceableMobileNetV2, plain) loaded strictly
# from an ImageNet r160 pretraining run (../tiny_in1k_backbone_init.py).
_base_ = ['./tiny_pretrained_backbone.py', '../tiny_in1k_backbone_init.py']
model = dict(backbone=dict(init_cfg={{_base_.tiny_in1k_init}}))
