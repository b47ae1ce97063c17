"""NetDistiller's gradient surgery (Zhang et al., IEEE Micro 2023, §3;
METHODS §5.2): a one-sided PCGrad."""
from typing import Tuple

import torch


def project_conflicting(teacher_grad: torch.Tensor,
                        student_grad: torch.Tensor
                        ) -> Tuple[torch.Tensor, bool]:
    r"""Project the teacher's gradient onto the normal plane of the
    student's when they conflict (cos φ < 0):

    .. math::
        \mathrm{proj}(g_t) = g_t - \frac{g_t^\top g_s}{\lVert g_s\rVert^2}
                              g_s \quad \text{if } g_t^\top g_s < 0,
        \text{ else } g_t

    Only the teacher's gradient is changed (unlike the symmetric PCGrad).
    Returns the (possibly projected) teacher gradient and whether the pair
    conflicted. The tensors are treated as flat vectors (one parameter
    tensor, i.e. one layer, at a time).
    """
    dot = torch.dot(teacher_grad.flatten(), student_grad.flatten())
    if dot >= 0:
        return teacher_grad, False
    norm_sq = student_grad.flatten().pow(2).sum()
    return teacher_grad - (dot / norm_sq) * student_grad, True
