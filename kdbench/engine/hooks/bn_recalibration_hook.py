"""Re-estimate BatchNorm statistics before evaluation and export."""
import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from torch import nn

from kdbench.registry import HOOKS
from .student_export_hook import deployable_model


def _dynamic_bn_type():
    # kdbench.tiny imports these hooks; import its layer when needed
    from kdbench.tiny.dynamic_ops import DynamicBatchNorm2d
    return DynamicBatchNorm2d


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, dataloader,
                          num_images: int) -> int:
    """Re-estimate the running statistics of the BatchNorms the model's own
    ``tensor`` forward uses, as the plain average over ``num_images``
    training images (BN layers in train mode with a cumulative average,
    everything else in eval mode); returns the number of images used.
    Ranks average their statistics.

    Only what the evaluated network uses is reset and re-estimated: a norm
    (or, for a sliced ``kdbench.DynamicBatchNorm2d``, the norm *set* it has
    active and the leading channels the forward reads) is reset when the
    forward first reaches it. Norms the forward never reaches keep their
    statistics: NetDistiller's teacher norm set, and the channels of a
    NetAug supernet that only its augmented networks use. A norm reached at
    two different widths is refused (the evaluated network must be one
    static network)."""
    dynamic = _dynamic_bn_type()
    norms = [m for m in model.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return 0
    widths = {}  # id(norm) -> (norm, channels re-estimated)

    def start(bn, width):
        """Reset ``bn``'s first ``width`` channels when first reached."""
        if not bn.track_running_stats:
            return
        known = widths.get(id(bn))
        if known is None:
            bn.running_mean[:width].zero_()
            bn.running_var[:width].fill_(1.0)
            bn.num_batches_tracked.zero_()
            widths[id(bn)] = (bn, width)
        elif known[1] != width:
            raise RuntimeError(
                f'BN re-estimation: a BatchNorm is used at {known[1]} and '
                f'at {width} channels in one evaluation forward; the '
                f'evaluated network must be a single static network (set '
                f'the tiny configuration before re-estimating).')

    def on_dynamic(module, args):
        start(module.norms[module.active_set], args[0].shape[1])

    def on_plain(module, args):
        start(module, module.num_features)

    handles = []
    inner = set()
    for m in model.modules():
        if isinstance(m, dynamic):
            handles.append(m.register_forward_pre_hook(on_dynamic))
            inner.update(id(bn) for bn in m.norms.values())
    for bn in norms:
        if id(bn) not in inner:  # a plain BN (not a set of a dynamic one)
            handles.append(bn.register_forward_pre_hook(on_plain))
    was_training = model.training
    momenta = [bn.momentum for bn in norms]
    model.eval()
    for bn in norms:
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
        for handle in handles:
            handle.remove()
        for bn, momentum in zip(norms, momenta):
            bn.momentum = momentum
        model.train(was_training)
    if get_world_size() > 1:
        for bn, width in widths.values():
            for stat in (bn.running_mean, bn.running_var):
                part = stat[:width].clone()
                all_reduce(part, op='mean')
                stat[:width].copy_(part)
    return seen


@HOOKS.register_module()
class BNRecalibrationHook(Hook):
    """Re-estimate BN statistics on ``num_images`` training images before
    each validation and, if the model trained since, before the end-of-run
    export (NetAug: the shared-weight augmented networks leave the tiny
    network's running statistics off; METHODS §5.1, 16k ImageNet images).

    Runs before ``StudentExportHook`` (priority ABOVE_NORMAL), so the saved
    weights carry the statistics that were evaluated. ``tools/test.py`` on
    a checkpoint saved before a re-estimation (``epoch_*.pth``) re-estimates
    too, before the test epoch, unless this run has just done it.
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

    def before_test_epoch(self, runner) -> None:
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
