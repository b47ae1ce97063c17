# ImageNet-1k as laid out by the OpenMMLab docs (data/imagenet/{train,val},
# meta/{train,val}.txt), 8 GPUs x 32 images: mmpretrain's standard recipe.
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs32.py']
