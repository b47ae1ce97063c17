"""Write a student-only, weights-only checkpoint at the end of training."""
import os.path as osp

import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from kdbench.compat import save_weights
from kdbench.registry import HOOKS


def deployable_model(model):
    """The network a run delivers: the student of a distiller (anything with
    a ``student`` attribute), else the model itself."""
    if is_model_wrapper(model):
        model = model.module
    model = getattr(model, 'student', model)
    # MMSeparateDistributedDataParallel wraps the student on its own
    return model.module if is_model_wrapper(model) else model


def deployable_state_dict(model) -> dict:
    """The weights a run delivers: the deployable network's
    ``deploy_state_dict()`` when it has one (a network trained inside a
    larger one, e.g. NetAug, or with a test-time rule folded in, e.g.
    Self-Guidance), else its ``state_dict()``."""
    model = deployable_model(model)
    return model.deploy_state_dict() if hasattr(
        model, 'deploy_state_dict') else model.state_dict()


@HOOKS.register_module()
class StudentExportHook(Hook):
    """Save ``<work_dir>/<filename>`` = ``{'state_dict', 'meta'}`` after
    training, holding only the deployable network's weights.

    Models with a ``deploy_state_dict()`` (NetAug's classifier) save that
    instead of their training-time state. The file loads with
    ``torch.load(weights_only=True)`` and into the plain student config
    (``tools/test.py student_cfg.py work_dir/weights.pth``), and serves as
    the teacher checkpoint of later distillation runs.
    """

    priority = 'LOW'

    def __init__(self, filename: str = 'weights.pth'):
        self.filename = filename

    @master_only
    def after_train(self, runner) -> None:
        model = deployable_model(runner.model)
        meta = dict(config=osp.basename(runner.cfg.filename or ''),
                    epoch=int(runner.epoch), iter=int(runner.iter),
                    seed=int(runner.seed),
                    model_type=type(model).__name__)
        path = osp.join(runner.work_dir, self.filename)
        state = deployable_state_dict(runner.model)
        broken = [k for k, v in state.items() if v.is_floating_point()
                  and not bool(torch.isfinite(v).all())]
        if broken:
            from .finite_training_hook import NonFiniteTrainingError
            raise NonFiniteTrainingError(
                f'The trained weights are not finite ({len(broken)} tensors, '
                f'e.g. {broken[0]}); {self.filename} was not written. The '
                f'run diverged: lower the learning rate or the loss weights.')
        save_weights(state, path, meta)
        runner.logger.info(f'Saved the {meta["model_type"]} weights '
                           f'(weights only) to {path}')
