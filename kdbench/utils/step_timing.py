"""Step timing shared by the tools/analysis scripts: train steps and
teacher inference timed interleaved on the same batches (medians), so drift
of the machine affects every step alike."""
import statistics
import time
from typing import Callable, Dict, List


def time_interleaved(steps: Dict[str, Callable], batches: List,
                     iters: int, warmup: int,
                     sync: Callable = lambda: None) -> Dict[str, float]:
    """Median seconds of each step; round r runs every step on batch
    r mod len(batches), in the order given."""
    times = {name: [] for name in steps}
    for round_ in range(warmup + iters):
        batch = batches[round_ % len(batches)]
        for name, step in steps.items():
            sync()
            start = time.perf_counter()
            step(batch)
            sync()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def first_batches(cfg, count: int = 4) -> List:
    """The first ``count`` batches of the config's train dataloader."""
    from mmengine.runner import Runner
    batches = []
    for batch in Runner.build_dataloader(cfg.train_dataloader):
        batches.append(batch)
        if len(batches) == count:
            break
    return batches


def build_in_scope(cfg, model_cfg: dict):
    """Build ``model_cfg`` (a dict) under the config's default scope, with
    its top-level data_preprocessor as the Runner would pass it."""
    from mmengine.config import ConfigDict
    from mmengine.registry import DefaultScope
    from kdbench.registry import MODELS
    model_cfg = dict(model_cfg)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor',
                             cfg.data_preprocessor.to_dict())
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmengine')):
        return MODELS.build(ConfigDict(model_cfg))


def measure_distiller(cfg, iters: int, warmup: int) -> dict:
    """Medians of the distiller's train step, the plain student's train
    step and the teacher's inference, on the same batches."""
    import torch
    from mmengine.optim import build_optim_wrapper
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    distiller = build_in_scope(cfg, cfg.model.to_dict()).to(device)
    student, teacher = distiller.student, distiller.teacher
    distiller.train()
    batches = first_batches(cfg)
    distill_optim = build_optim_wrapper(distiller, cfg.optim_wrapper.to_dict())

    def distill_step(batch):
        distiller.train_step(batch, distill_optim)

    def student_step(batch):
        # the student's own step: its loss only, through the distiller's
        # optimizer (it holds the student's parameters too)
        data = student.data_preprocessor(batch, True)
        loss, _ = student.parse_losses(student(**data, mode='loss'))
        distill_optim.update_params(loss)

    def teacher_inference(batch):
        data = distiller.data_preprocessor(batch, True)
        with torch.no_grad():
            teacher(data['inputs'], data['data_samples'], mode='tensor')

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()
    return time_interleaved(dict(distill=distill_step, student=student_step,
                                 teacher=teacher_inference),
                            batches, iters, warmup, sync)
