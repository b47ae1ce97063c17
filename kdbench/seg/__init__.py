"""Segmentation glue: which pixels and maps each distiller uses."""
from .discriminator import ScoreMapDiscriminator, SelfAttention
from .segmentation_distiller import SegmentationDistiller

__all__ = ['ScoreMapDiscriminator', 'SelfAttention', 'SegmentationDistiller']
