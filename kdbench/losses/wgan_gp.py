"""WGAN-GP critic objective (Gulrajani et al., NeurIPS 2017)."""
from typing import Callable

import torch


def gradient_penalty(critic: Callable[[torch.Tensor], torch.Tensor],
                     real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    r"""E[(‖∇_x̂ D(x̂)‖₂ − 1)²] with x̂ = a·real + (1 − a)·fake, a ~ U(0, 1)
    per sample; the norm is over all of a sample's elements. ``real`` and
    ``fake`` are detached; the penalty is differentiable w.r.t. the
    critic's parameters (``create_graph``)."""
    alpha = torch.rand(real.shape[0], *([1] * (real.dim() - 1)),
                       device=real.device, dtype=real.dtype)
    mixed = (alpha * real.detach() + (1 - alpha) * fake.detach())
    mixed.requires_grad_(True)
    scores = critic(mixed)
    grads, = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    return (grads.flatten(1).norm(dim=1) - 1).pow(2).mean()


def critic_loss(critic: Callable[[torch.Tensor], torch.Tensor],
                real: torch.Tensor, fake: torch.Tensor,
                gp_weight: float = 10.0) -> dict:
    """Structured KD's critic loss before λ_d (METHODS §4): −E D(T) +
    E D(S) + λ_gp·GP, on detached score maps. Returns its parts."""
    d_real = critic(real.detach()).mean()
    d_fake = critic(fake.detach()).mean()
    penalty = gradient_penalty(critic, real, fake)
    return dict(loss_wasserstein=d_fake - d_real,
                loss_gp=gp_weight * penalty,
                d_real=d_real.detach(), d_fake=d_fake.detach())
