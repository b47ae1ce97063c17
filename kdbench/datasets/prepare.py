"""Build the mini datasets reproducibly; used by ``tools/prepare_data.py``.

Targets under the output root (default ``data/``) and default sizes:

==============  ===================  ==========================================
name            directory            default sizes
==============  ===================  ==========================================
``cls``         ``fashion_mnist/``   the full 60000 / 10000 (idx files)
``coco``        ``mini_coco/``       train2017 1000, val2017 200,
                                     holdout2017 200
``voc``         ``mini_voc/``        VOC2007 trainval 1000 + test 200
                                     + holdout 200, VOC2012 trainval 200
``cityscapes``  ``mini_cityscapes/`` train 1000, val 200, holdout 200
==============  ===================  ==========================================

Train splits draw items from Fashion-MNIST train, val/test splits from t10k.
The holdout splits are the suites' validation splits: scenes the models
never train on, drawn from Fashion-MNIST train items that no training scene
uses (so validation neither sees training garments nor touches the test
split).
Each split has its own random stream, ``default_rng([seed, crc32(name)])``,
so building one dataset alone gives the same files as building all of them.
Every target gets a ``kdbench_manifest.json``; a target whose manifest
matches (generator version, seed, sizes, scene spec, source sha256) is
skipped. Targets are built in a temporary sibling directory and renamed into
place, so an interrupted run never leaves a half-written target.
"""
import json
import os
import os.path as osp
import shutil
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass

import numpy as np

from . import cityscapes, coco, voc
from .fashion_mnist import export_classification, load_split, source_digests
from .scenes import DETECTION_SPEC, SEGMENTATION_SPEC, generate_scenes

GENERATOR_VERSION = 1
MANIFEST = 'kdbench_manifest.json'
TARGET_DIRS = {'cls': 'fashion_mnist', 'coco': 'mini_coco',
               'voc': 'mini_voc', 'cityscapes': 'mini_cityscapes'}
DEFAULT_SIZES = {
    'cls': {},
    'coco': {'train': 1000, 'val': 200, 'holdout': 200},
    'voc': {'voc2007_trainval': 1000, 'voc2007_test': 200,
            'voc2012_trainval': 200, 'voc2007_holdout': 200},
    'cityscapes': {'train': 1000, 'val': 200, 'holdout': 200},
}
SCENE_SPECS = {'cls': None, 'coco': DETECTION_SPEC, 'voc': DETECTION_SPEC,
               'cityscapes': SEGMENTATION_SPEC}


class TargetNotOursError(RuntimeError):
    """The target directory exists but was not written by this generator."""


@dataclass
class BuildResult:
    name: str
    path: str
    status: str  # 'built' or 'skipped'
    seconds: float
    counts: dict


class SourceItems:
    """Fashion-MNIST splits, loaded on first use."""

    def __init__(self, source_dir):
        self.source_dir = source_dir
        self._splits = {}

    def __getitem__(self, split):
        if split not in self._splits:
            self._splits[split] = load_split(self.source_dir, split)
        return self._splits[split]


def split_rng(seed, dataset, split):
    """The random stream of one split of one dataset."""
    return np.random.default_rng([seed, zlib.crc32(f'{dataset}/{split}'
                                                   .encode())])


def _scenes(items, seed, dataset, split, source_split, count, spec,
            used=None):
    """The scenes of one split; their items' indices are added to
    ``used`` (a set) as the scenes are drawn."""
    images, labels = items[source_split]
    scenes = generate_scenes(images, labels, count,
                             split_rng(seed, dataset, split), spec)
    return scenes if used is None else _recording(scenes, used)


def _recording(scenes, used):
    for scene in scenes:
        used.update(i.source_index for i in scene.instances)
        yield scene


def _holdout_scenes(items, seed, dataset, used, count, spec):
    """Scenes from the Fashion-MNIST train items outside ``used`` (the
    items of every training scene), with the split's own stream."""
    images, labels = items['train']
    unused = np.setdiff1d(np.arange(len(labels)),
                          np.fromiter(used, np.int64, len(used)))
    return generate_scenes(images[unused], labels[unused], count,
                           split_rng(seed, dataset, 'holdout'), spec)


def _split_scenes(items, seed, dataset, split, source_split, count, spec,
                  used):
    """A training split (``source_split`` 'train': its items go into
    ``used``), a test split ('test'), or the holdout split (None: items
    outside ``used``; build it after the training splits)."""
    if source_split is None:
        return _holdout_scenes(items, seed, dataset, used, count, spec)
    return _scenes(items, seed, dataset, split, source_split, count, spec,
                   used if source_split == 'train' else None)


def _build_cls(out, items, seed, sizes):
    files = export_classification(items.source_dir, out)
    return {'files': files, 'train': len(items['train'][1]),
            'test': len(items['test'][1])}


def _build_coco(out, items, seed, sizes):
    counts, next_id, used = {}, 1, set()
    for split, source_split in (('train', 'train'), ('val', 'test'),
                                ('holdout', None)):
        scenes = _split_scenes(items, seed, 'coco', split, source_split,
                               sizes[split], DETECTION_SPEC, used)
        info = dict(description=f'kdbench mini COCO {split}2017: '
                    'Fashion-MNIST composites', version=str(GENERATOR_VERSION),
                    seed=seed)
        num_images, num_instances = coco.write_coco_split(
            out, split, scenes, first_image_id=next_id, info=info)
        next_id += num_images
        counts[f'{split}2017'] = dict(images=num_images,
                                      instances=num_instances)
    return counts


def _build_voc(out, items, seed, sizes):
    """VOC2007 ids 000001.. (trainval, then test), VOC2012 ids 2012_000001..

    train.txt / val.txt split each trainval into halves, as VOC does.
    """
    counts, used = {}, set()
    parts = (('VOC2007', 'trainval', 'train', lambda i: f'{i:06d}', 1),
             ('VOC2007', 'test', 'test', lambda i: f'{i:06d}',
              sizes['voc2007_trainval'] + 1),
             ('VOC2012', 'trainval', 'train', lambda i: f'2012_{i:06d}', 1),
             ('VOC2007', 'holdout', None, lambda i: f'{i:06d}',
              sizes['voc2007_trainval'] + sizes['voc2007_test'] + 1))
    for year, image_set, source_split, make_id, first in parts:
        key = f'{year.lower()}_{image_set}'
        count = sizes[key]
        year_dir = osp.join(out, 'VOCdevkit', year)
        ids = [make_id(i) for i in range(first, first + count)]
        scenes = _split_scenes(items, seed, 'voc', key, source_split, count,
                               DETECTION_SPEC, used)
        num_images, num_instances = voc.write_voc_images(year_dir, ids, scenes)
        voc.write_image_set(year_dir, image_set, ids)
        if image_set == 'trainval':
            voc.write_image_set(year_dir, 'train', ids[:count // 2])
            voc.write_image_set(year_dir, 'val', ids[count // 2:])
        counts[f'{year}/{image_set}'] = dict(images=num_images,
                                             instances=num_instances)
    return counts


def _build_cityscapes(out, items, seed, sizes):
    counts, used = {}, set()
    for split, source_split in (('train', 'train'), ('val', 'test'),
                                ('holdout', None)):
        scenes = _split_scenes(items, seed, 'cityscapes', split,
                               source_split, sizes[split], SEGMENTATION_SPEC,
                               used)
        num_images, num_instances = cityscapes.write_cityscapes_split(
            out, split, scenes, sizes[split])
        counts[split] = dict(images=num_images, instances=num_instances)
    return counts


BUILDERS = {'cls': _build_cls, 'coco': _build_coco, 'voc': _build_voc,
            'cityscapes': _build_cityscapes}


def manifest_identity(name, seed, sizes, digests):
    """What fixes a target's content; equal identity means equal files."""
    spec = SCENE_SPECS[name]
    identity = dict(dataset=name, generator_version=GENERATOR_VERSION,
                    seed=seed if spec else None, sizes=sizes,
                    scene_spec=asdict(spec) if spec else None,
                    source_sha256=digests)
    return json.loads(json.dumps(identity))


def read_manifest(path):
    try:
        with open(osp.join(path, MANIFEST)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_up_to_date(path, identity):
    manifest = read_manifest(path)
    return manifest is not None and manifest.get('identity') == identity


def build(name, out_root, items, seed=0, sizes=None, force=False,
          digests=None):
    """Build target ``name`` under ``out_root`` unless it is up to date.

    ``items`` is a :class:`SourceItems`; ``sizes`` overrides entries of
    ``DEFAULT_SIZES[name]``. Raises :class:`TargetNotOursError` if the
    target exists without a manifest and ``force`` is False.
    """
    sizes = {**DEFAULT_SIZES[name], **(sizes or {})}
    digests = digests or source_digests(items.source_dir)
    identity = manifest_identity(name, seed, sizes, digests)
    path = osp.join(out_root, TARGET_DIRS[name])
    start = time.perf_counter()
    if not force and is_up_to_date(path, identity):
        counts = read_manifest(path).get('counts', {})
        return BuildResult(name, path, 'skipped',
                           time.perf_counter() - start, counts)
    empty_dir = osp.isdir(path) and not os.listdir(path)
    if (not force and osp.lexists(path) and not empty_dir
            and read_manifest(path) is None):
        raise TargetNotOursError(
            f'{path} exists but has no {MANIFEST}, so it was not written by '
            'tools/prepare_data.py; pass --force to replace it')

    os.makedirs(out_root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{TARGET_DIRS[name]}.tmp-', dir=out_root)
    try:
        counts = BUILDERS[name](tmp, items, seed, sizes)
        with open(osp.join(tmp, MANIFEST), 'w') as f:
            json.dump(dict(identity=identity, counts=counts), f, indent=2)
        if osp.lexists(path):
            old = tempfile.mkdtemp(prefix=f'.{TARGET_DIRS[name]}.old-',
                                   dir=out_root)
            os.rename(path, osp.join(old, 'previous'))
            os.rename(tmp, path)
            shutil.rmtree(old)
        else:
            os.rename(tmp, path)
    finally:
        if osp.isdir(tmp):
            shutil.rmtree(tmp)
    return BuildResult(name, path, 'built', time.perf_counter() - start,
                       counts)
