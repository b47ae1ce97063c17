"""Detection glue: which anchors, RoIs and regions each distiller uses."""
from .dense_head_distiller import DenseHeadDistiller
from .two_stage_distiller import ChenDistiller
from .regions import (atss_thresholds, centres_inside_boxes, diou,
                      valuable_localization_region)

__all__ = ['DenseHeadDistiller', 'ChenDistiller', 'atss_thresholds', 'centres_inside_boxes',
           'diou', 'valuable_localization_region']
