# Student of the mini classification track: the teacher's CIFAR-style
# ResNet-18 at 1/8 width (stages 8-16-32-64 ch at 28-14-7-4 px).
_base_ = ['./resnet18-w16_fmnist.py']
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    head=dict(in_channels=64))
