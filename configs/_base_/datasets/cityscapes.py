# Full Cityscapes semantic segmentation, laid out as the mmseg docs describe
# (after `python tools/dataset_converters/cityscapes.py data/cityscapes` of
# mmseg, which writes the *_gtFine_labelTrainIds.png files):
#   data/cityscapes/leftImg8bit/{train,val}/<city>/*_leftImg8bit.png
#   data/cityscapes/gtFine/{train,val}/<city>/*_gtFine_labelTrainIds.png
# Inherits mmseg's own dataset config unchanged (19 classes, 512x1024 crops,
# IoUMetric mIoU). Scope: mmengine tags every dict inherited from an
# `mmseg::` base with `_scope_='mmseg'`, so these resolve in mmseg's
# registries whatever `default_scope` the including config sets.
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
