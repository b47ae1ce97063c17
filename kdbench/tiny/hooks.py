"""NetAug's schedule: width augmentation for the first part of training,
optional channel sorting at every epoch (METHODS §5.1)."""
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
