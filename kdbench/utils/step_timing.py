"""Step timing shared by the tools/analysis scripts: train steps and
teacher inference timed interleaved on the same batches (medians), so drift
of the machine affects every step alike."""
import statistics
import time
from typing import Callable, Dict, List, Optional


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


def random_teacher_checkpoint(cfg, cache: dict) -> None:
    """Point ``cfg.model.teacher_checkpoint`` at random weights of the
    teacher architecture when the file does not exist (timings do not
    depend on the teacher's values); ``cache`` maps teacher references to
    files already made."""
    import os.path as osp
    import tempfile
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    if osp.isfile(cfg.model.get('teacher_checkpoint') or ''):
        return
    ref = cfg.model.teacher
    key = ref if isinstance(ref, str) else repr(ref)
    if key not in cache:
        teacher = build_model(ref, 'teacher', default_preprocessor=cfg.get(
            'data_preprocessor'))
        cache[key] = osp.join(tempfile.mkdtemp(), 'random_teacher.pth')
        save_weights(teacher.state_dict(), cache[key])
        print(f'Using random teacher weights for {key} (timing only).')
    cfg.model.teacher_checkpoint = cache[key]


def measure_distiller(cfg, iters: int, warmup: int,
                      extra_steps: Optional[Callable] = None) -> dict:
    """Medians of the distiller's train step, the plain student's train
    step and the teacher's inference, on the same batches.

    ``extra_steps(distiller, optim)`` may return more named steps to time
    in the same rounds (e.g. the step without an adversarial critic)."""
    import torch
    from mmengine.optim import OptimWrapperDict, build_optim_wrapper
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    distiller = build_in_scope(cfg, cfg.model.to_dict()).to(device)
    student, teacher = distiller.student, distiller.teacher
    distiller.train()
    batches = first_batches(cfg)
    distill_optim = build_optim_wrapper(distiller, cfg.optim_wrapper.to_dict())
    # one optimizer per part (student, critic, ...): the student's own
    student_optim = distill_optim['student'] if isinstance(
        distill_optim, OptimWrapperDict) else distill_optim

    def distill_step(batch):
        distiller.train_step(batch, distill_optim)

    def student_step(batch):
        # the student's own step: its loss only, through the distiller's
        # optimizer (it holds the student's parameters too)
        data = student.data_preprocessor(batch, True)
        loss, _ = student.parse_losses(student(**data, mode='loss'))
        student_optim.update_params(loss)

    def teacher_inference(batch):
        data = distiller.data_preprocessor(batch, True)
        with torch.no_grad():
            teacher(data['inputs'], data['data_samples'], mode='tensor')

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()
    steps = dict(distill=distill_step, student=student_step,
                 teacher=teacher_inference)
    if extra_steps is not None:
        steps.update(extra_steps(distiller, distill_optim))
    return time_interleaved(steps, batches, iters, warmup, sync)
