# Mini pretraining of the mini detection track's student backbone: the
# teacher's recipe (resnet18_1xb128-2e_fmnist-canvas64.py) for mmdet's
# ResNet-18 at 1/4 width (stages 16-32-64-128 ch).
#   python tools/train.py configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py \
#       --work-dir work_dirs/pretrained/resnet18-w16_1xb128-2e_fmnist-canvas64
_base_ = ['./resnet18_1xb128-2e_fmnist-canvas64.py']
model = dict(backbone=dict(base_channels=16), head=dict(in_channels=128))
