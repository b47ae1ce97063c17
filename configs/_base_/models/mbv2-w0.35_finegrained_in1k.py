# The fine-grained transfer classifier of the tiny track (METHODS.md §5.3):
# the plain MobileNetV2 x0.35 (no NetAug) started from an ImageNet r160
# pretraining run's backbone (./tiny_pretrained_backbone_in1k.py), global
# average pooling, dropout 0.2 and a new linear classifier, label
# smoothing 0.1. The including config sets head.num_classes.
_base_ = ['./tiny_pretrained_backbone_in1k.py']
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='kdbench.DropoutLinearClsHead', in_channels=1280,
              dropout=0.2,
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                        mode='original')))
