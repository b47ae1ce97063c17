# Full PASCAL VOC 07+12, laid out as the mmdet docs describe:
#   data/VOCdevkit/VOC2007/{Annotations,JPEGImages,ImageSets/Main}
#   data/VOCdevkit/VOC2012/{Annotations,JPEGImages,ImageSets/Main}
# Train on VOC2007 trainval + VOC2012 trainval (x3 repeat), test on VOC2007
# test with VOCMetric '11points'. Inherits mmdet's own dataset config
# unchanged. Scope: mmengine tags every dict inherited from an `mmdet::`
# base with `_scope_='mmdet'`, so these resolve in mmdet's registries
# whatever `default_scope` the including config sets.
_base_ = ['mmdet::_base_/datasets/voc0712.py']
