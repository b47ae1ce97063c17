"""Switch the stages of a stage-wise distiller during one training run."""
from mmengine.hooks import Hook
from kdbench.registry import HOOKS
from .hooked_model import hooked_model


@HOOKS.register_module()
class TrainingStageHook(Hook):
    """Put a model with ``stages`` (``kdbench.StageWiseDistiller``) into the
    stage that holds the current epoch or iteration, before every training
    iteration; after ``--resume`` the run continues in the right stage.

    Refuses a schedule whose length differs from the stages' last ``end``
    (a stage would be cut short or the last one stretched silently).

    Args:
        restart_lr: at the first iteration of every stage after the first,
            set each parameter group's lr back to its initial value, so
            that per-stage schedulers (e.g. a ``MultiStepLR`` per stage with
            ``begin`` = the stage start; milestones count from ``begin``)
            give each stage the same schedule (SSKD). A run resumed in the
            middle of a stage keeps the lr restored from its checkpoint.
            Not needed with closed-form restarts (``CosineRestartLR``).
    """

    priority = 'NORMAL'

    def __init__(self, restart_lr: bool = False):
        self.restart_lr = restart_lr

    def before_train(self, runner) -> None:
        model = self._model(runner)
        length = runner.max_epochs if model.by_epoch else runner.max_iters
        if model.total_length != length:
            ends = [stage['end'] for stage in model.stages]
            if model.by_epoch:
                detail = f'{length} epochs (train_cfg.max_epochs)'
            else:
                detail = f'{length} iterations'
                if runner.train_loop.__class__.__name__.startswith('Epoch'):
                    detail += (f' ({runner.max_epochs} epochs of '
                               f'{len(runner.train_dataloader)} iterations)')
            raise ValueError(
                f'The stages end at {ends} '
                f'({"epochs" if model.by_epoch else "iterations"}) but the '
                f'run has {detail}. Make the last stage end equal the run '
                f'length: change the stage ends (and a per-stage lr '
                f'schedule) or the schedule.')

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        model = self._model(runner)
        index = model.stage_at(runner.epoch if model.by_epoch
                               else runner.iter)
        if index != model.stage_index:
            model.set_stage(index)
            runner.message_hub.update_info('train_stage', index)
            start = model.stages[index - 1]['end'] if index else 0
            at_start = (runner.iter == start * len(runner.train_dataloader)
                        if model.by_epoch else runner.iter == start)
            if self.restart_lr and index and at_start:
                for group in _param_groups(runner.optim_wrapper):
                    group['lr'] = group.get('initial_lr', group['lr'])
                runner.logger.info(f'TrainingStageHook: lr restarted for '
                                   f'stage {index}')

    @staticmethod
    def _model(runner):
        return hooked_model(runner, 'stages', 'kdbench.TrainingStageHook',
                            'stage-wise (kdbench.StageWiseDistiller)')


def _param_groups(optim_wrapper):
    """Parameter groups of an OptimWrapper or of every wrapper of an
    OptimWrapperDict."""
    wrappers = optim_wrapper.values() if hasattr(optim_wrapper, 'values') \
        else [optim_wrapper]
    return [group for wrapper in wrappers
            for group in wrapper.optimizer.param_groups]
