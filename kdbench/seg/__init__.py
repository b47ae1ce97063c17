"""Segmentation glue: which pixels and maps each distiller uses."""
from .discriminator import ScoreMapDiscriminator, SelfAttention
from .segmentation_distiller import SegmentationDistiller
from .structured_kd import NonFiniteLossError, StructuredKDDistiller

__all__ = ['ScoreMapDiscriminator', 'SelfAttention', 'SegmentationDistiller',
           'StructuredKDDistiller', 'NonFiniteLossError']
