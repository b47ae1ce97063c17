"""Train a stage-wise student's linear head to convergence (SSKD's head
stage)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_world_size
from mmengine.hooks import Hook
from torch import nn

from kdbench.recorders import find_module
from kdbench.registry import HOOKS
from .hooked_model import hooked_model


def fit_linear_head(features: torch.Tensor, labels: torch.Tensor,
                    weight: torch.Tensor, bias: torch.Tensor,
                    weight_decay: float, max_iter: int = 1000,
                    tolerance: float = 1e-7) -> Tuple[torch.Tensor,
                                                      torch.Tensor, dict]:
    """Minimise the task's cross-entropy of a linear classifier on fixed
    features plus the optimizer's L2 weight decay,

        mean_i CE(W x_i + b, y_i) + (λ/2)(‖W‖² + ‖b‖²),

    a convex problem, by full-batch L-BFGS in float64 from ``weight`` /
    ``bias`` until the gradient's largest entry is below ``tolerance``
    (or ``max_iter`` iterations). Returns the new weight and bias (in the
    inputs' dtype) and the objective before / after and the gradient's
    largest entry at the end."""
    x = features.double()
    w = weight.detach().double().clone().requires_grad_(True)
    b = bias.detach().double().clone().requires_grad_(True)

    def objective():
        return F.cross_entropy(x @ w.T + b, labels) + 0.5 * weight_decay * (
            w.pow(2).sum() + b.pow(2).sum())

    with torch.no_grad():
        before = objective().item()
    optimizer = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter,
                                  tolerance_grad=tolerance,
                                  tolerance_change=1e-15, history_size=20,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    optimizer.step(closure)
    loss = objective()
    gw, gb = torch.autograd.grad(loss, [w, b])
    info = dict(before=before, after=loss.item(),
                grad_max=max(gw.abs().max().item(), gb.abs().max().item()))
    return (w.detach().to(weight.dtype), b.detach().to(bias.dtype), info)


@HOOKS.register_module()
class LinearHeadFitHook(Hook):
    """At the first iteration of the stage-wise distiller's stage
    ``stage``, fit the student's linear classifier ``layer`` to
    convergence on the frozen network's features of one pass over the
    training data (:func:`fit_linear_head`, with the optimizer's weight
    decay); the stage's SGD iterations then continue from the optimum.

    SSKD trains the head on the frozen backbone after the mimicking stages
    (METHODS.md §1.9); the paper gives no head schedule. On the mini track
    the head stage's SGD alone (142 iterations) stopped far from the
    optimum: CE 1.66, 42.4 % test top-1, where the converged linear head
    on the same features reaches 62-67 %. A resumed run passing the stage
    start again refits, with the same result.
    """

    priority = 'BELOW_NORMAL'  # after TrainingStageHook set the stage

    def __init__(self, stage: str = 'head', layer: str = 'head.fc',
                 weight_decay: Optional[float] = None, max_iter: int = 1000,
                 tolerance: float = 1e-7):
        self.stage = stage
        self.layer = layer
        self.weight_decay = weight_decay
        self.max_iter = max_iter
        self.tolerance = tolerance

    def before_train(self, runner) -> None:
        model = self._model(runner)
        names = [s['name'] for s in model.stages]
        if self.stage not in names:
            raise ValueError(f'LinearHeadFitHook: no stage named '
                             f'{self.stage!r} (stages: {names}).')
        layer = find_module(model.student, self.layer, 'student')
        if not isinstance(layer, nn.Linear):
            raise ValueError(f'LinearHeadFitHook: student {self.layer!r} is '
                             f'a {type(layer).__name__}, not a Linear layer.')

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        model = self._model(runner)
        index = model.stage_index
        if model.stages[index]['name'] != self.stage:
            return
        start = model.stages[index - 1]['end'] if index else 0
        if model.by_epoch:
            start *= len(runner.train_dataloader)
        if runner.iter == start:
            self.fit(runner, model)

    @torch.no_grad()
    def _features(self, runner, model, layer: nn.Linear):
        inputs, labels = [], []
        handle = layer.register_forward_pre_hook(
            lambda module, args: inputs.append(args[0].flatten(1)))
        was_training = model.student.training
        model.student.eval()
        try:
            for batch in runner.train_dataloader:
                data = model.data_preprocessor(batch, False)
                model.student(data['inputs'], data['data_samples'],
                              mode='tensor')
                labels.append(torch.cat([s.gt_label for s in
                                         data['data_samples']]))
        finally:
            handle.remove()
            model.student.train(was_training)
        features, labels = torch.cat(inputs), torch.cat(labels)
        if get_world_size() > 1:
            features = torch.cat(all_gather(features))
            labels = torch.cat(all_gather(labels))
        return features, labels

    def fit(self, runner, model) -> dict:
        layer = find_module(model.student, self.layer, 'student')
        features, labels = self._features(runner, model, layer)
        decay = self.weight_decay
        if decay is None:
            decay = runner.optim_wrapper.optimizer.param_groups[0].get(
                'weight_decay', 0.0)
        weight, bias, info = fit_linear_head(
            features, labels.to(features.device), layer.weight, layer.bias,
            decay, self.max_iter, self.tolerance)
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        runner.logger.info(
            f'LinearHeadFitHook: {self.layer} fitted on {len(labels)} '
            f'frozen features (weight decay {decay}): objective '
            f'{info["before"]:.4f} -> {info["after"]:.4f}, largest gradient '
            f'entry {info["grad_max"]:.2e}')
        return info

    @staticmethod
    def _model(runner):
        return hooked_model(runner, 'stages', 'kdbench.LinearHeadFitHook',
                            'stage-wise (kdbench.StageWiseDistiller)')
