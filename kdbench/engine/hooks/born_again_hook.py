"""Run the generations of Born-Again Networks in one training run."""
import json
import os
import os.path as osp
import re
from typing import Dict, List

import torch
from mmengine.dist import broadcast, get_world_size, master_only
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict
from mmengine.runner import EpochBasedTrainLoop

from kdbench.compat import save_weights
from kdbench.distillers.single_teacher import DistillerConfigError
from kdbench.registry import HOOKS
from .hooked_model import hooked_model


def generation_seed(run_seed: int, generation: int) -> int:
    """Initialisation seed of generation k ≥ 1: derived from the run's seed
    (``randomness.seed``), different for every generation and every run
    seed of a suite (seeds 0..999 never meet)."""
    return (int(run_seed) + 1000 * generation) % 2**31


@HOOKS.register_module()
class BornAgainHook(Hook):
    """Make one run of G × E epochs train the G generations of a
    ``kdbench.BornAgainDistiller`` (METHODS.md §2.1), E epochs each.

    At the start of the first epoch of generation k ≥ 1:

    * the finished generation's weights are saved to
      ``work_dir/gen{k-1}/weights.pth`` (weights only, loadable into the
      plain student config) and become the frozen teacher;
    * the student is re-initialised (``init_weights()``) with the seed
      :func:`generation_seed` (run seed, k);
    * the optimizer state (momentum, Adam moments) is cleared and the
      ``param_scheduler`` is rebuilt from the config after the parameter
      groups got their initial values back, so every generation follows
      the plain student's schedule from its start. Each scheduler must end
      within one generation (``end`` ≤ E epochs); a longer one is refused.

    The last generation's weights also go to ``gen{G-1}/weights.pth``
    (``StudentExportHook`` writes them to ``work_dir/weights.pth``). On
    ``--resume`` inside generation k, the teacher is loaded from
    ``gen{k-1}/weights.pth``. The generation index is logged as
    ``generation`` with the training losses.

    A validation that ends a generation writes its metrics to
    ``gen{k}/metrics.json``; the final validation adds the earlier
    generations' metrics as ``gen{k}/<metric>`` and, with
    ``evaluate_ensemble``, the BAN ensemble of S_1..S_{G-1} (mean softmax,
    METHODS §2.1) as ``ensemble/<metric>``. Leave ``val_interval`` = E to
    get one validation per generation. Do not combine with an EMA hook
    (it would average weights across generations).

    Args:
        epochs_per_generation: E, the plain student's number of epochs;
            ``train_cfg.max_epochs`` must be a multiple of it.
        evaluate_ensemble: evaluate the BAN ensemble at the end.
    """

    priority = 'NORMAL'

    def __init__(self, epochs_per_generation: int,
                 evaluate_ensemble: bool = True):
        if not isinstance(epochs_per_generation, int) or \
                epochs_per_generation < 1:
            raise ValueError(f'epochs_per_generation must be a positive '
                             f'integer, got {epochs_per_generation!r}')
        self.epochs = epochs_per_generation
        self.evaluate_ensemble = evaluate_ensemble
        self.generations = None

    # ------------------------------------------------------------ training
    def before_train(self, runner) -> None:
        model = self._distiller(runner)
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise DistillerConfigError(
                'kdbench.BornAgainHook counts generations in epochs: use an '
                'epoch-based train_cfg (by_epoch=True, max_epochs=G x E).')
        if runner.max_epochs % self.epochs:
            raise DistillerConfigError(
                f'train_cfg.max_epochs={runner.max_epochs} is not a whole '
                f'number of generations of {self.epochs} epochs: set '
                f'max_epochs = generations x {self.epochs} (or change '
                f'BornAgainHook.epochs_per_generation).')
        self.generations = runner.max_epochs // self.epochs
        self._check_schedules(runner)
        epoch = runner.epoch
        # the generation the (possibly resumed) weights belong to
        model.generation = 0 if epoch == 0 else (epoch - 1) // self.epochs
        if model.generation >= 1 and epoch % self.epochs:
            # resumed inside generation k: restore its teacher S_{k-1}
            path = self._weights_path(runner, model.generation - 1)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'Resuming generation {model.generation} at epoch {epoch} '
                    f'needs its teacher {path} (saved when the generation '
                    f'started). Restore that file or resume from a '
                    f'checkpoint at a generation boundary (epoch_'
                    f'{model.generation * self.epochs}.pth).')
            model.load_teacher(path)
            runner.logger.info(f'Born-again generation {model.generation}: '
                               f'teacher restored from {path}')
        runner.logger.info(
            f'Born-again networks: {self.generations} generations of '
            f'{self.epochs} epochs (S0 on labels, S1..S'
            f'{self.generations - 1} taught by their predecessor); now in '
            f'generation {model.generation}')

    def before_train_epoch(self, runner) -> None:
        model = self._distiller(runner)
        generation = runner.epoch // self.epochs
        if runner.epoch % self.epochs == 0 and generation > model.generation:
            self._start_generation(runner, model, generation)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        runner.message_hub.update_scalar(
            'train/generation', self._distiller(runner).generation)

    def after_train(self, runner) -> None:
        model = self._distiller(runner)
        self._save_generation(runner, model, model.generation)

    def _start_generation(self, runner, model, generation: int) -> None:
        path = self._save_generation(runner, model, generation - 1)
        seed = generation_seed(runner.seed, generation)
        model.begin_generation(generation, seed)
        if get_world_size() > 1:
            # identical replicas even with randomness.diff_rank_seed (DDP
            # broadcasts the weights only when it wraps the model)
            for tensor in model.student.state_dict().values():
                broadcast(tensor, src=0)
        wrappers = (list(runner.optim_wrapper.values())
                    if isinstance(runner.optim_wrapper, OptimWrapperDict)
                    else [runner.optim_wrapper])
        for wrapper in wrappers:
            wrapper.optimizer.state.clear()
            for group in wrapper.optimizer.param_groups:
                for key in [k for k in group if k.startswith('initial_')]:
                    group[key[len('initial_'):]] = group[key]
        if runner.cfg.get('param_scheduler') is not None:
            runner.param_schedulers = runner.build_param_scheduler(
                runner.cfg.param_scheduler)
        lr = wrappers[0].optimizer.param_groups[0]['lr']
        runner.logger.info(
            f'Born-again generation {generation}/{self.generations - 1} '
            f'starts at epoch {runner.epoch + 1}: teacher = generation '
            f'{generation - 1} ({path}), student re-initialised with seed '
            f'{seed}, optimizer state cleared, lr schedule restarted '
            f'(lr {lr:.6g})')

    def _check_schedules(self, runner) -> None:
        schedulers = runner.param_schedulers
        if schedulers is None:
            return
        if isinstance(schedulers, dict):
            schedulers = [s for group in schedulers.values() for s in group]
        iters = self.epochs * len(runner.train_dataloader)
        for index, scheduler in enumerate(schedulers):
            limit, unit = ((self.epochs, 'epochs') if scheduler.by_epoch
                           else (iters, 'iterations'))
            if scheduler.end > limit:
                raise DistillerConfigError(
                    f'param_scheduler[{index}] ({type(scheduler).__name__}) '
                    f'ends at {scheduler.end} {unit}, beyond one generation '
                    f'({limit} {unit}); each generation restarts the '
                    f'schedule, so set its end to at most {limit} (an unset '
                    f'end defaults to the whole run).')

    # ---------------------------------------------------------- validation
    def after_val_epoch(self, runner, metrics=None) -> None:
        if runner._train_loop is None or isinstance(runner._train_loop,
                                                    dict):
            return  # a standalone validation (tools/test.py)
        if self.generations is None or runner.epoch % self.epochs:
            return
        model = self._distiller(runner)
        metrics = metrics if metrics is not None else {}
        self._save_metrics(runner, model.generation, metrics)
        if runner.epoch != runner.max_epochs:
            return
        added = {}
        for generation in range(model.generation):
            added.update(self._load_metrics(runner, generation))
        if self.evaluate_ensemble and model.generation >= 1:
            added.update({f'ensemble/{key}': value for key, value in
                          self._ensemble_metrics(runner, model).items()})
        metrics.update(added)
        for key, value in added.items():
            runner.message_hub.update_scalar(f'val/{key}', value)

    def _ensemble_metrics(self, runner, model) -> Dict[str, float]:
        members: List[torch.nn.Module] = []
        for generation in range(1, model.generation):
            member = model.build_network()
            state = torch.load(self._weights_path(runner, generation),
                               map_location='cpu', weights_only=True)
            member.load_state_dict(state['state_dict'])
            members.append(member.eval())
        members.append(model.student)
        evaluator = runner.build_evaluator(runner.cfg.val_evaluator)
        dataloader = runner.val_dataloader
        evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo',
                                         None)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            for batch in dataloader:
                data = model.data_preprocessor(batch, False)
                outputs = model.ensemble_predict(
                    data['inputs'], data['data_samples'], members)
                evaluator.process(data_samples=outputs, data_batch=batch)
        model.train(was_training)
        results = evaluator.evaluate(len(dataloader.dataset))
        runner.logger.info(
            f'BAN ensemble of generations 1..{model.generation} '
            f'(mean softmax): {results}')
        return results

    # ---------------------------------------------------------------- files
    @staticmethod
    def _weights_path(runner, generation: int) -> str:
        return osp.join(runner.work_dir, f'gen{generation}', 'weights.pth')

    @master_only
    def _save_generation(self, runner, model, generation: int) -> str:
        path = self._weights_path(runner, generation)
        meta = dict(config=osp.basename(runner.cfg.filename or ''),
                    generation=int(generation), epoch=int(runner.epoch),
                    iter=int(runner.iter), seed=int(runner.seed),
                    model_type=type(model.student).__name__)
        save_weights(model.student.state_dict(), path, meta)
        runner.logger.info(f'Saved born-again generation {generation} '
                           f'(weights only) to {path}')
        return path

    @master_only
    def _save_metrics(self, runner, generation: int, metrics: dict) -> None:
        plain = {}  # the scalar metrics of this generation
        for key, value in metrics.items():
            try:
                value = value.item() if hasattr(value, 'item') else value
            except (ValueError, RuntimeError):  # not a single number
                continue
            if isinstance(value, (int, float)) and \
                    not re.match(r'(gen\d+|ensemble)/', key):
                plain[key] = value
        path = osp.join(runner.work_dir, f'gen{generation}', 'metrics.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(generation=generation, epoch=int(runner.epoch),
                           metrics=plain), f, indent=1)

    @staticmethod
    def _load_metrics(runner, generation: int) -> Dict[str, float]:
        path = osp.join(runner.work_dir, f'gen{generation}', 'metrics.json')
        if not osp.isfile(path):  # not validated at its end, or not rank 0
            return {}
        with open(path) as f:
            metrics = json.load(f)['metrics']
        return {f'gen{generation}/{key}': value
                for key, value in metrics.items()
                if isinstance(value, (int, float))}

    @staticmethod
    def _distiller(runner):
        return hooked_model(runner, 'begin_generation',
                            'kdbench.BornAgainHook',
                            'kdbench.BornAgainDistiller')
