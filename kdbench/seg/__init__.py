"""Segmentation glue: which pixels and maps each distiller uses."""
from kdbench.compat import patch_mmseg_class_weighted_ce

patch_mmseg_class_weighted_ce()

from .discriminator import ScoreMapDiscriminator, SelfAttention  # noqa: E402
from .segmentation_distiller import SegmentationDistiller  # noqa: E402
from .structured_kd import (NonFiniteLossError,  # noqa: E402
                            StructuredKDDistiller)

__all__ = ['ScoreMapDiscriminator', 'SelfAttention', 'SegmentationDistiller',
           'StructuredKDDistiller', 'NonFiniteLossError']
