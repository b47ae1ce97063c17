# mmpretrain's ResNet recipe: SGD 0.1, step decay at 30/60/90, 100 epochs.
_base_ = ['mmpretrain::_base_/schedules/imagenet_bs256.py']
