# Full COCO 2017 detection, laid out as the mmdet docs describe:
#   data/coco/{train2017,val2017}/*.jpg
#   data/coco/annotations/instances_{train,val}2017.json
# Inherits mmdet's own dataset config unchanged (80 classes, 1333x800,
# CocoMetric bbox). Scope: mmengine tags every dict inherited from an
# `mmdet::` base with `_scope_='mmdet'`, so these resolve in mmdet's
# registries whatever `default_scope` the including config sets.
_base_ = ['mmdet::_base_/datasets/coco_detection.py']
