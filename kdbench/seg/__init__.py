"""Segmentation glue: which pixels and maps each distiller uses."""
from .discriminator import ScoreMapDiscriminator, SelfAttention

__all__ = ['ScoreMapDiscriminator', 'SelfAttention']
