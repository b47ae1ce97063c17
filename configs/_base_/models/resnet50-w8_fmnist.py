# Second teacher architecture of the mini classification track (the
# multi-teacher row): CIFAR-style ResNet-50 (bottleneck blocks) at 1/8
# width (stages 32-64-128-256 ch out at 28-14-7-4 px), 1-channel input,
# 10 classes.
_base_ = ['./resnet18-w16_fmnist.py']
model = dict(
    backbone=dict(depth=50, stem_channels=8, base_channels=8),
    head=dict(in_channels=256))
