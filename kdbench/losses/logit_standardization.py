"""Logit standardisation (Sun et al., "Logit Standardization in Knowledge
Distillation", CVPR 2024, Eq. 8-9): each sample's logits are z-scored,
``(z - mean(z)) / (eps + std(z))``, before the temperature softmax, so the
student matches the teacher's logit relations rather than their range.
The official code uses the unbiased standard deviation over the classes
and ``eps = 1e-7``; applied to student and teacher alike.
"""
import torch

EPS = 1e-7


def standardize_logits(logits: torch.Tensor, dim: int = 1) -> torch.Tensor:
    """Z-score ``logits`` along the class dimension ``dim``."""
    mean = logits.mean(dim=dim, keepdim=True)
    std = logits.std(dim=dim, keepdim=True)
    return (logits - mean) / (EPS + std)


__all__ = ['standardize_logits']
