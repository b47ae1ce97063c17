# Second teacher of the mini classification benchmark (the multi-teacher
# row `ens_kd`): ResNet-50 (CIFAR stem, bottleneck blocks) at 1/8 width
# (configs/_base_/models/resnet50-w8_fmnist.py), the main teacher's recipe
# (30 epochs on the students' 5k images).
_base_ = ['./r18-w16_1xb128-30e_fmnist-mini.py']
model = dict(
    backbone=dict(depth=50, stem_channels=8, base_channels=8),
    head=dict(in_channels=256))
