"""Re-estimate BatchNorm statistics before evaluation and export."""
import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from torch import nn

from kdbench.registry import HOOKS
from .student_export_hook import deployable_model


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, dataloader,
                          num_images: int) -> int:
    """Reset every BatchNorm's running statistics and re-estimate them as
    the plain average over ``num_images`` training images (BN layers in
    train mode, everything else in eval mode), through the model's own
    ``tensor`` forward; returns the number of images used. Ranks average
    their statistics."""
    norms = [m for m in model.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return 0
    was_training = model.training
    momenta = [bn.momentum for bn in norms]
    model.eval()
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average
        bn.train()
    seen = 0
    try:
        for batch in dataloader:
            data = model.data_preprocessor(batch, False)
            model(data['inputs'], data['data_samples'], mode='tensor')
            seen += len(data['inputs'])
            if seen >= num_images:
                break
    finally:
        for bn, momentum in zip(norms, momenta):
            bn.momentum = momentum
        model.train(was_training)
    if get_world_size() > 1:
        for bn in norms:
            all_reduce(bn.running_mean, op='mean')
            all_reduce(bn.running_var, op='mean')
    return seen


@HOOKS.register_module()
class BNRecalibrationHook(Hook):
    """Re-estimate BN statistics on ``num_images`` training images before
    each validation and, if the model trained since, before the end-of-run
    export (NetAug: the shared-weight augmented networks leave the tiny
    network's running statistics off; METHODS §5.1, 16k ImageNet images).

    Runs before ``StudentExportHook`` (priority ABOVE_NORMAL), so the saved
    weights carry the statistics that were evaluated.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, num_images: int = 2000):
        self.num_images = int(num_images)
        self._stale = True

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._stale = True

    def before_val_epoch(self, runner) -> None:
        self._recalibrate(runner)

    def after_train(self, runner) -> None:
        if self._stale:
            self._recalibrate(runner)

    def _recalibrate(self, runner) -> None:
        # the network that is evaluated and exported (a distiller's
        # student): a teacher's statistics must stay as they are
        model = deployable_model(runner.model)
        used = recalibrate_batchnorm(model, runner.train_dataloader,
                                     self.num_images)
        self._stale = False
        runner.logger.info(f'BN statistics re-estimated on {used} training '
                           f'images')
