"""Gradient averaging for parts trained outside DDP's reducer."""
from typing import Iterable

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_world_size, is_distributed
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors


def average_gradients(params: Iterable[torch.nn.Parameter]) -> None:
    """All-reduce (mean over ranks) the ``.grad`` of ``params`` in one flat
    buffer; a no-op outside a multi-process run. For modules whose
    gradients DDP cannot produce (double backward, ``autograd.grad``)."""
    if not is_distributed() or get_world_size() == 1:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = _flatten_dense_tensors(grads)
    torch_dist.all_reduce(flat)
    flat.div_(get_world_size())
    for grad, synced in zip(grads, _unflatten_dense_tensors(flat, grads)):
        grad.copy_(synced)
