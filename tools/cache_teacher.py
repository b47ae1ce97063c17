"""Build the teacher-output cache of a cached-teacher distiller config.

    python tools/cache_teacher.py CONFIG [--epochs N] [--topk K]
        [--batch-size B] [--cfg-options ...]

CONFIG is a ``kdbench.CachedTeacherDistiller`` config (e.g.
``configs/cls/kd/kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py``): its
teacher and checkpoint, its replayable training data
(``kdbench.ViewReplayDataset``) and its ``model.teacher_cache`` path. The
teacher runs once, in eval mode under no_grad, over every training sample
of every epoch (the views the student will see, from their seeds), and the
top-k logits (k = all classes by default) go to the cache with the views'
checksums. Prints the build time and the cache's size.
"""
import argparse
import os
import os.path as osp
import shlex
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a CachedTeacherDistiller config')
    parser.add_argument('--epochs', type=int,
                        help='epochs of views to cache (default: the '
                        "config's train_cfg.max_epochs)")
    parser.add_argument('--topk', type=int,
                        help='logits kept per view (default: all classes)')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def build_cache(cfg, config_path: str, epochs=None, topk=None,
                batch_size: int = 256, argv=None) -> dict:
    """Run the teacher over the config's replayable views and write the
    cache; return a summary (path, rows, seconds, bytes)."""
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DefaultScope

    from kdbench.distillers import SingleTeacherDistiller
    from kdbench.registry import DATASETS, MODELS
    from kdbench.teacher_cache import (TeacherOutputCache, dataset_sha256,
                                       replay_problems)
    from kdbench.teacher_cache.replay import inner_dataset_cfg
    from kdbench.utils.cli import UserInputError
    from kdbench.utils.hashing import file_sha256

    model_cfg = cfg.model.to_dict()
    if str(model_cfg.get('type', '')).split('.')[-1] != \
            'CachedTeacherDistiller':
        raise UserInputError(f'{config_path} is not a '
                             f'kdbench.CachedTeacherDistiller config.')
    problems = replay_problems(cfg.train_dataloader)
    if problems:
        raise UserInputError(f'{config_path}: {"; ".join(problems)}.')
    if cfg.get('data_preprocessor', {}).get('batch_augments'):
        raise UserInputError('Batch augmentations (mixup, cutmix) are drawn '
                             'per batch and cannot be replayed from a cache.')
    path = model_cfg.pop('teacher_cache')
    model_cfg.pop('cache_tap', None)
    model_cfg['type'] = 'kdbench.SingleTeacherDistiller'
    model_cfg['distill_losses'] = {}
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    checkpoint = model_cfg.get('teacher_checkpoint')
    if not checkpoint or not osp.isfile(checkpoint):
        raise UserInputError(f'Teacher weights {checkpoint!r} not found: '
                             f'train the teacher first (tools/benchmark.py '
                             f'caches it), or pass --cfg-options '
                             f'model.teacher_checkpoint=PATH.')
    scope = cfg.get('default_scope', 'mmpretrain')
    with DefaultScope.overwrite_default_scope(scope):
        model: SingleTeacherDistiller = MODELS.build(model_cfg)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    model.eval()
    teacher = model.teacher
    epochs = int(epochs or cfg.train_cfg.max_epochs)
    num_samples = len(dataset)
    num_classes = int(teacher.head.fc.out_features)
    command = shlex.join(['python', 'tools/cache_teacher.py', config_path,
                          *(argv or [])])
    cache = TeacherOutputCache.create(
        path, teacher_sha256=file_sha256(checkpoint),
        dataset_sha256=dataset_sha256(inner_dataset_cfg(
            cfg.train_dataloader.dataset)),
        seed=int(cfg.train_dataloader.dataset.get('seed', 0)),
        epochs=epochs, num_samples=num_samples, num_classes=num_classes,
        topk=int(topk or num_classes), build_command=command)
    start = time.perf_counter()
    with torch.no_grad():
        for epoch in range(epochs):
            for first in range(0, num_samples, batch_size):
                items = [dataset[epoch * num_samples + i] for i in
                         range(first, min(first + batch_size, num_samples))]
                data = model.data_preprocessor(pseudo_collate(items), False)
                logits = teacher(data['inputs'], mode='tensor')
                meta = [s.metainfo for s in data['data_samples']]
                cache.write(epoch, torch.tensor([m['sample_idx']
                                                 for m in meta]),
                            logits, torch.tensor([m['view_crc']
                                                  for m in meta],
                                                 dtype=torch.long))
    cache.finish()
    seconds = time.perf_counter() - start
    size = sum(osp.getsize(osp.join(path, f)) for f in os.listdir(path))
    return dict(path=path, epochs=epochs, samples=num_samples,
                topk=cache.header['topk'], seconds=seconds, bytes=size)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    import kdbench  # noqa: F401
    from kdbench.utils.cli import load_config, report_user_errors
    with report_user_errors():
        cfg = load_config(args.config, args.cfg_options)
        summary = build_cache(cfg, args.config, args.epochs, args.topk,
                              args.batch_size, argv[1:])
        print(f'teacher-output cache {summary["path"]}: '
              f'{summary["epochs"]} epochs x {summary["samples"]} samples, '
              f'top-{summary["topk"]}, built in {summary["seconds"]:.1f} s, '
              f'{summary["bytes"] / 2 ** 20:.2f} MiB')


if __name__ == '__main__':
    main()
