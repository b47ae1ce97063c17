"""Schedules of the tiny-network methods: NetAug's width augmentation for
the first part of training and channel sorting at every epoch (METHODS
§5.1); NetDistiller's label warm-up before in-situ distillation (§5.2)."""
from mmengine.hooks import Hook

from kdbench.engine.hooks import deployable_model
from kdbench.registry import HOOKS


@HOOKS.register_module()
class NetAugScheduleHook(Hook):
    """Turn the model's width augmentation off once ``stop_width_aug`` of
    the training iterations have run (0.5: the official code stops it at
    epoch 75 of 150; expand-ratio augmentation continues), and with
    ``sort_channels`` reorder the backbone's hidden channels by importance
    at the start of every epoch while widths are augmented, permuting the optimizer's per-parameter
    states (momentum, Adam moments) the same way. The NetAug network is the
    model itself or the student of a distiller around it (``netaug_kd``)."""

    def __init__(self, stop_width_aug: float = 0.5,
                 sort_channels: bool = False):
        if not 0.0 <= stop_width_aug <= 1.0:
            raise ValueError(f'stop_width_aug is a fraction of training in '
                             f'[0, 1], got {stop_width_aug}')
        self.stop_width_aug = stop_width_aug
        self.sort_channels = sort_channels

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        model = deployable_model(runner.model)
        width_aug = runner.iter < self.stop_width_aug * runner.max_iters
        if model.width_aug and not width_aug:
            runner.logger.info(f'NetAug: width augmentation stops at '
                               f'iteration {runner.iter}')
        model.width_aug = width_aug

    def before_train_epoch(self, runner) -> None:
        model = deployable_model(runner.model)
        # sorting only while widths are augmented, as the official code
        if not self.sort_channels or not model.width_aug:
            return
        moved = model.backbone.sort_channels()
        optimizers = runner.optim_wrapper
        wrappers = optimizers.values() if hasattr(optimizers, 'values') \
            else [optimizers]
        for wrapper in wrappers:
            state = wrapper.optimizer.state
            for param, dim, order in moved:
                for key, value in state.get(param, {}).items():
                    if hasattr(value, 'shape') and \
                            value.shape == param.shape:
                        value.copy_(value.index_select(dim, order))


@HOOKS.register_module()
class NetDistillerScheduleHook(Hook):
    """The student of ``kdbench.NetDistillerClassifier`` learns from the
    labels alone for the first ``label_warmup`` of the training iterations,
    then distills in situ (uncertainty-aware or always, as the model is
    configured). The in-situ teacher is trained from scratch alongside:
    right after initialisation its outputs are near uniform, and the
    student's own entropy (log2 of the class count) is above any
    uncertainty threshold, so without a warm-up the student's only signal
    in the first steps is the KL to a chance-level teacher. The paper
    (Zhang et al., IEEE Micro 2023) distills from step 0 over 360 epochs;
    ``label_warmup=0`` does the same. The teacher's own loss and gradient
    surgery run throughout."""

    def __init__(self, label_warmup: float = 0.0):
        if not 0.0 <= label_warmup < 1.0:
            raise ValueError(f'label_warmup is a fraction of training in '
                             f'[0, 1), got {label_warmup}')
        self.label_warmup = label_warmup

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        model = deployable_model(runner.model)
        warmup = runner.iter < self.label_warmup * runner.max_iters
        if model.label_warmup and not warmup:
            runner.logger.info(f'NetDistiller: in-situ distillation starts '
                               f'at iteration {runner.iter}')
        model.label_warmup = warmup
