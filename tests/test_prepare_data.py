"""Mini-dataset generator: reproducibility, exact annotations, and reading
the generated data through mmdet / mmseg / mmpretrain's own classes.

Tiny sizes keep this fast; the classification export is always full size.
"""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

import cv2
import numpy as np
import pytest

from kdbench.datasets import prepare
from kdbench.datasets.cityscapes import SEG_CLASSES
from kdbench.datasets.fashion_mnist import (FASHION_MNIST_CLASSES,
                                            FashionMNISTNotFoundError,
                                            locate_source)
from kdbench.datasets.scenes import (DETECTION_SPEC, SEGMENTATION_SPEC,
                                     compose_scene, generate_scenes,
                                     tight_box)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOL = osp.join(REPO, 'tools', 'prepare_data.py')
DATASET_CONFIGS = osp.join(REPO, 'configs', '_base_', 'datasets')
TINY = {
    'coco': {'train': 6, 'val': 5, 'holdout': 4},
    'voc': {'voc2007_trainval': 6, 'voc2007_test': 5, 'voc2012_trainval': 3,
            'voc2007_holdout': 4},
    'cityscapes': {'train': 4, 'val': 5, 'holdout': 4},
}


@pytest.fixture(scope='module')
def items():
    try:
        return prepare.SourceItems(locate_source())
    except FashionMNISTNotFoundError as e:
        pytest.skip(str(e))


def build_tiny(root, items, seed=0):
    for name, sizes in TINY.items():
        prepare.build(name, str(root), items, seed=seed, sizes=sizes)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory, items):
    root = tmp_path_factory.mktemp('data')
    build_tiny(root, items)
    prepare.build('cls', str(root), items)
    return root


def tree_digest(root):
    digests = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                digests[osp.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return digests


def regenerate(items, dataset, split, source_split, spec, seed=0):
    images, labels = items[source_split]
    return list(
        generate_scenes(images, labels, TINY[dataset][split],
                        prepare.split_rng(seed, dataset, split), spec))


def fill_holes(mask):
    """Mask plus the background pixels not 4-connected to the border."""
    padded = np.pad(mask, 1).astype(np.uint8)
    flood = padded.copy()
    cv2.floodFill(flood, None, (0, 0), 2)
    return (flood != 2)[1:-1, 1:-1]


def mm_config(name, data_root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, name))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        for d in dataset.get('datasets', [dataset]):
            d.data_root = str(data_root) + '/'
    return cfg


# ---------------------------------------------------------------- generator

def test_same_seed_same_bytes_other_seed_differs(data_root, items, tmp_path):
    build_tiny(tmp_path / 'again', items, seed=0)
    build_tiny(tmp_path / 'other', items, seed=1)
    for target in ('mini_coco', 'mini_voc', 'mini_cityscapes'):
        reference = tree_digest(data_root / target)
        assert tree_digest(tmp_path / 'again' / target) == reference
        other = tree_digest(tmp_path / 'other' / target)
        assert other.keys() == reference.keys()
        content = [f for f in reference if f.endswith(
            ('.jpg', '.png', '.json', '.xml'))]
        changed = [f for f in content if other[f] != reference[f]]
        assert len(changed) == len(content), target


def test_scenes_masks_are_visible_parts_and_match_labels(items):
    images, labels = items['test']
    rng = np.random.default_rng(123)
    spec = SEGMENTATION_SPEC
    for scene in generate_scenes(images, labels, 40, rng, spec):
        assert scene.image.shape == (spec.height, spec.width, 3)
        assert 1 <= len(scene.instances) <= spec.max_items
        label_map = scene.label_map()
        covered = np.zeros(label_map.shape, bool)
        for inst in scene.instances:
            assert inst.mask.sum() >= spec.min_visible_area
            assert not (covered & inst.mask).any()  # later items occlude
            covered |= inst.mask
            assert inst.label == labels[inst.source_index]
            assert (label_map[inst.mask] == inst.label + 1).all()
        assert ((label_map > 0) == covered).all()


def test_scene_needs_items_that_can_be_seen():
    blank = np.zeros((1, 28, 28), np.uint8)
    with pytest.raises(ValueError, match='visible'):
        compose_scene(np.random.default_rng(0), blank, np.zeros(1, np.uint8))


def test_coco_annotations_are_exact(data_root, items):
    from pycocotools import mask as mask_utils
    root = data_root / 'mini_coco'
    with open(root / 'annotations' / 'instances_train2017.json') as f:
        coco = json.load(f)
    assert [c['name'] for c in coco['categories']] == list(
        FASHION_MNIST_CLASSES)
    assert [c['id'] for c in coco['categories']] == list(range(1, 11))
    anns = defaultdict(list)
    for ann in coco['annotations']:
        anns[ann['image_id']].append(ann)
    scenes = regenerate(items, 'coco', 'train', 'train', DETECTION_SPEC)
    assert len(coco['images']) == len(scenes)
    for image, scene in zip(coco['images'], scenes):
        assert (image['height'], image['width']) == (128, 128)
        jpg = cv2.imread(str(root / 'train2017' / image['file_name']))
        diff = np.abs(jpg[..., ::-1].astype(int) - scene.image)
        assert diff.mean() < 4  # JPEG quality 95, 4:4:4
        assert len(anns[image['id']]) == len(scene.instances)
        for ann, inst in zip(anns[image['id']], scene.instances):
            x0, y0, x1, y1 = tight_box(inst.mask)
            assert ann['bbox'] == [x0, y0, x1 - x0 + 1, y1 - y0 + 1]
            assert ann['area'] == inst.mask.sum()
            assert ann['category_id'] == inst.label + 1
            assert ann['iscrowd'] == 0
            rle = mask_utils.merge(
                mask_utils.frPyObjects(ann['segmentation'], 128, 128))
            polygon_mask = mask_utils.decode(rle).astype(bool)
            assert (polygon_mask == fill_holes(inst.mask)).all()


def test_voc_xml_is_exact(data_root, items):
    year_dir = data_root / 'mini_voc' / 'VOCdevkit' / 'VOC2007'
    main = year_dir / 'ImageSets' / 'Main'
    ids = main.joinpath('trainval.txt').read_text().split()
    assert ids == [f'{i:06d}' for i in range(1, 7)]
    assert main.joinpath('train.txt').read_text().split() + main.joinpath(
        'val.txt').read_text().split() == ids
    assert main.joinpath('test.txt').read_text().split() == [
        f'{i:06d}' for i in range(7, 12)]
    scenes = regenerate(items, 'voc', 'voc2007_trainval', 'train',
                        DETECTION_SPEC)
    for image_id, scene in zip(ids, scenes):
        assert (year_dir / 'JPEGImages' / f'{image_id}.jpg').is_file()
        root = ET.parse(year_dir / 'Annotations' / f'{image_id}.xml').getroot()
        assert root.find('size/width').text == '128'
        objects = root.findall('object')
        assert len(objects) == len(scene.instances)
        for obj, inst in zip(objects, scene.instances):
            assert obj.find('name').text == FASHION_MNIST_CLASSES[inst.label]
            box = [int(obj.find(f'bndbox/{k}').text)
                   for k in ('xmin', 'ymin', 'xmax', 'ymax')]
            assert box == [v + 1 for v in tight_box(inst.mask)]  # 1-based
    ids_2012 = (data_root / 'mini_voc' / 'VOCdevkit' / 'VOC2012' /
                'ImageSets' / 'Main' / 'trainval.txt').read_text().split()
    assert ids_2012 == ['2012_000001', '2012_000002', '2012_000003']


def test_cityscapes_pngs_are_exact(data_root, items):
    root = data_root / 'mini_cityscapes'
    scenes = regenerate(items, 'cityscapes', 'val', 'test', SEGMENTATION_SPEC)
    stems = ['frankfurt_000000_000019', 'frankfurt_000001_000019',
             'frankfurt_000002_000019', 'lindau_000000_000019',
             'lindau_000001_000019']
    for stem, scene in zip(stems, scenes):
        city = stem.split('_')[0]
        image = cv2.imread(
            str(root / 'leftImg8bit' / 'val' / city /
                f'{stem}_leftImg8bit.png'))[..., ::-1]
        label = cv2.imread(
            str(root / 'gtFine' / 'val' / city /
                f'{stem}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
        assert (image == scene.image).all()
        assert label.shape == (128, 256) and label.dtype == np.uint8
        assert (label == scene.label_map()).all()
        assert label.max() <= 10
    assert sorted(os.listdir(root / 'gtFine' / 'train')) == [
        'aachen', 'bremen']


def test_build_skips_up_to_date_and_refuses_foreign_dirs(
        data_root, items, tmp_path):
    result = prepare.build('coco', str(data_root), items, sizes=TINY['coco'])
    assert result.status == 'skipped'
    result = prepare.build('coco', str(tmp_path), items, seed=1,
                           sizes=TINY['coco'])
    assert result.status == 'built'
    result = prepare.build('coco', str(tmp_path), items, seed=2,
                           sizes=TINY['coco'])  # ours, other seed: rebuilt
    assert result.status == 'built'
    manifest = prepare.read_manifest(str(tmp_path / 'mini_coco'))
    assert manifest['identity']['seed'] == 2
    assert sorted(os.listdir(tmp_path)) == ['mini_coco']  # no temp dirs
    (tmp_path / 'mini_voc').mkdir()
    (tmp_path / 'mini_voc' / 'user_file').write_text('x')
    with pytest.raises(prepare.TargetNotOursError, match='--force'):
        prepare.build('voc', str(tmp_path), items, sizes=TINY['voc'])
    prepare.build('voc', str(tmp_path), items, sizes=TINY['voc'], force=True)
    assert not (tmp_path / 'mini_voc' / 'user_file').exists()


# ------------------------------------------------- read by the mm* libraries

def test_mmdet_coco_dataset_and_metric_on_ground_truth(data_root):
    import torch
    from mmengine.registry import DATASETS, METRICS
    from mmengine.structures import InstanceData
    cfg = mm_config('mini_coco_detection.py', data_root / 'mini_coco')
    train = DATASETS.build(cfg.train_dataloader.dataset)
    val = DATASETS.build(cfg.test_dataloader.dataset)  # val2017: the test
    assert type(val).__name__ == 'CocoDataset'
    assert val.metainfo['classes'] == FASHION_MNIST_CLASSES
    assert (len(train), len(val)) == (6, 5)
    ann_file = data_root / 'mini_coco' / 'annotations' / \
        'instances_val2017.json'
    with open(ann_file) as f:
        coco = json.load(f)
    instances = [i for k in range(len(val))
                 for i in val.get_data_info(k)['instances']]
    assert len(instances) == len(coco['annotations'])
    for inst, ann in zip(instances, coco['annotations']):
        x, y, w, h = ann['bbox']
        assert inst['bbox'] == [x, y, x + w, y + h]
        assert inst['bbox_label'] == ann['category_id'] - 1

    assert cfg.test_evaluator.ann_file.endswith('instances_val2017.json')
    metric = METRICS.build(dict(cfg.test_evaluator, ann_file=str(ann_file)))
    metric.dataset_meta = val.metainfo
    for k in range(len(val)):
        sample = val[k]['data_samples']
        gt = sample.gt_instances
        sample.pred_instances = InstanceData(
            bboxes=gt.bboxes.tensor, labels=gt.labels,
            scores=torch.ones(len(gt.labels)))
        metric.process({}, [sample.to_dict()])
    assert metric.evaluate(len(val))['coco/bbox_mAP'] == pytest.approx(1.0)


def test_mmdet_voc_dataset_and_metric_on_ground_truth(data_root, items):
    import torch
    from mmengine.registry import DATASETS, METRICS
    from mmengine.structures import InstanceData
    cfg = mm_config('mini_voc0712.py', data_root / 'mini_voc' / 'VOCdevkit')
    train = DATASETS.build(cfg.train_dataloader.dataset)
    test = DATASETS.build(cfg.test_dataloader.dataset)
    assert type(test).__name__ == 'VOCDataset'
    assert (len(train), len(test)) == (6 + 3, 5)
    assert test.metainfo['dataset_type'] == 'VOC2007'
    assert test.metainfo['classes'] == FASHION_MNIST_CLASSES
    scenes = regenerate(items, 'voc', 'voc2007_test', 'test', DETECTION_SPEC)
    for k, scene in enumerate(scenes):
        info = test.get_data_info(k)
        assert [i['bbox'] for i in info['instances']] == [
            list(tight_box(inst.mask)) for inst in scene.instances]
        assert [i['bbox_label'] for i in info['instances']] == [
            inst.label for inst in scene.instances]

    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = test.metainfo
    for k in range(len(test)):
        sample = test[k]['data_samples']
        gt = sample.gt_instances
        sample.pred_instances = InstanceData(
            bboxes=gt.bboxes.tensor, labels=gt.labels,
            scores=torch.ones(len(gt.labels)))
        metric.process({}, [sample.to_dict()])
    assert metric.evaluate(len(test))['pascal_voc/mAP'] == pytest.approx(1.0)


def test_mmseg_reads_cityscapes_layout_and_iou_on_ground_truth(data_root):
    from mmengine.registry import DATASETS, METRICS
    from mmengine.structures import PixelData
    from mmseg.datasets import CityscapesDataset
    root = data_root / 'mini_cityscapes'
    cfg = mm_config('mini_cityscapes.py', root)
    train = DATASETS.build(cfg.train_dataloader.dataset)
    val = DATASETS.build(cfg.test_dataloader.dataset)  # val: the test
    assert (len(train), len(val)) == (4, 5)
    assert val.metainfo['classes'] == SEG_CLASSES

    # CityscapesDataset itself finds the same image/label pairs; it only
    # cannot take non-Cityscapes classes, hence BaseSegDataset in the config.
    prefix = dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val')
    cityscapes = CityscapesDataset(data_root=str(root), data_prefix=prefix)
    assert [d['seg_map_path'] for d in cityscapes.load_data_list()] == [
        d['seg_map_path'] for d in val.load_data_list()]
    with pytest.raises(ValueError, match='subset'):
        CityscapesDataset(data_root=str(root), data_prefix=prefix,
                          metainfo=dict(classes=SEG_CLASSES))

    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = val.metainfo
    for k in range(len(val)):
        sample = val[k]['data_samples']
        assert sample.gt_sem_seg.data.shape == (1, 128, 256)
        sample.pred_sem_seg = PixelData(data=sample.gt_sem_seg.data.clone())
        metric.process({}, [sample.to_dict()])
    assert metric.evaluate(len(val))['mIoU'] == pytest.approx(100.0)


@pytest.mark.filterwarnings('ignore::DeprecationWarning')  # one per item
def test_mmpretrain_fashion_mnist_reads_the_export(data_root, items):
    from mmpretrain.datasets import FashionMNIST
    root = str(data_root / 'fashion_mnist')
    train = FashionMNIST(data_root=root, split='train', download=False)
    # mmpretrain 1.2 picks the files by test_mode, not by split.
    test = FashionMNIST(data_root=root, split='test', test_mode=True,
                        download=False)
    assert (len(train), len(test)) == (60000, 10000)
    images, labels = items['test']
    info = test.get_data_info(9999)
    assert (info['img'] == images[9999]).all()
    assert int(info['gt_label']) == labels[9999]


def test_full_dataset_configs_inherit_the_libraries_own():
    from mmengine.config import Config
    expected = {'coco_detection.py': ('mmdet', 'data/coco/'),
                'voc0712.py': ('mmdet', 'data/VOCdevkit/'),
                'cityscapes.py': ('mmseg', 'data/cityscapes/')}
    for name, (scope, data_root) in expected.items():
        cfg = Config.fromfile(osp.join(DATASET_CONFIGS, name))
        assert cfg.data_root == data_root
        assert cfg.train_dataloader.dataset._scope_ == scope
        assert cfg.val_evaluator._scope_ == scope


# ------------------------------------------------------------ CLI, errors

def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)


def test_missing_source_message_and_exit_code(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        locate_source(str(tmp_path))
    assert isinstance(info.value, FashionMNISTNotFoundError)
    for hint in ('apt-get install dataset-fashion-mnist', '--source',
                 'FashionMNIST(data_root=', 'download=True'):
        assert hint in str(info.value)

    result = run_tool('--source', str(tmp_path), '--out',
                      str(tmp_path / 'out'))
    assert result.returncode == 2
    assert 'apt-get install dataset-fashion-mnist' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not (tmp_path / 'out').exists()


def test_cli_writes_then_skips_then_force_rebuilds(items, tmp_path):
    out = str(tmp_path / 'data')
    first = run_tool('--out', out, '--only', 'cls')
    assert first.returncode == 0, first.stderr
    assert 'wrote' in first.stdout and 'train 60000' in first.stdout
    again = run_tool('--out', out, '--only', 'cls')
    assert 'skipped' in again.stdout and 'up to date' in again.stdout
    forced = run_tool('--out', out, '--only', 'cls', '--force')
    assert 'wrote' in forced.stdout
    assert sorted(os.listdir(out)) == ['fashion_mnist']
    bad = run_tool('--out', out, '--only', 'cls,nope')
    assert bad.returncode == 2 and 'nope' in bad.stderr


# ------------------------------------------------------------ holdout splits

def test_holdout_scenes_use_no_item_of_a_training_scene():
    """The validation (holdout) scenes draw only Fashion-MNIST train items
    that no training scene used: with every item but those of class 7
    used, every holdout instance is of class 7."""
    rng = np.random.default_rng(0)
    images = rng.integers(60, 255, size=(40, 28, 28), dtype=np.uint8)
    labels = np.array([7 if i % 10 == 3 else i % 7 for i in range(40)])

    class Items(dict):
        pass

    items = Items(train=(images, labels))
    used = {i for i in range(40) if labels[i] != 7}
    scenes = list(prepare._holdout_scenes(items, 0, 'coco', used, 12,
                                          DETECTION_SPEC))
    assert len(scenes) == 12
    assert {i.label for s in scenes for i in s.instances} == {7}
    # the training scenes report the items they use
    recorded = set()
    train = list(prepare._scenes(items, 0, 'coco', 'train', 'train', 5,
                                 DETECTION_SPEC, recorded))
    assert recorded == {i.source_index for s in train for i in s.instances}


def test_holdout_splits_are_the_configs_validation_splits(data_root):
    """Each mini dataset config validates on its holdout split (scenes no
    training scene shares an item with) and tests on the split the
    leaderboard reports; each library reads the holdout in its own
    layout, and the val evaluator scores ground truth as perfect on it."""
    import torch
    from mmengine.registry import DATASETS, METRICS
    from mmengine.structures import InstanceData, PixelData
    import mmdet.datasets  # noqa: F401
    import mmseg.datasets  # noqa: F401
    coco = data_root / 'mini_coco'
    with open(coco / 'annotations' / 'instances_holdout2017.json') as f:
        ann = json.load(f)
    first_val = json.load(open(coco / 'annotations' /
                               'instances_val2017.json'))['images'][-1]['id']
    assert len(ann['images']) == 4 and ann['images'][0]['id'] > first_val
    cfg = mm_config('mini_coco_detection.py', coco)
    holdout = DATASETS.build(cfg.val_dataloader.dataset)
    assert [holdout.get_data_info(k)['img_id'] for k in range(len(holdout))
            ] == [img['id'] for img in ann['images']]
    assert cfg.val_evaluator.ann_file.endswith('instances_holdout2017.json')

    voc = data_root / 'mini_voc' / 'VOCdevkit'
    ids = (voc / 'VOC2007' / 'ImageSets' / 'Main' / 'holdout.txt'
           ).read_text().split()
    cfg_voc = mm_config('mini_voc0712.py', voc)
    holdout_voc = DATASETS.build(cfg_voc.val_dataloader.dataset)
    test_voc = DATASETS.build(cfg_voc.test_dataloader.dataset)
    assert [holdout_voc.get_data_info(k)['img_id']
            for k in range(len(holdout_voc))] == ids
    assert not set(ids) & {test_voc.get_data_info(k)['img_id']
                           for k in range(len(test_voc))}

    seg = data_root / 'mini_cityscapes'
    cfg_seg = mm_config('mini_cityscapes.py', seg)
    holdout_seg = DATASETS.build(cfg_seg.val_dataloader.dataset)
    labels = sorted(str(p) for p in (seg / 'gtFine' / 'holdout').rglob(
        '*_labelTrainIds.png'))
    assert sorted(d['seg_map_path'] for d in holdout_seg.load_data_list()
                  ) == labels and len(labels) == 4

    def perfect_boxes(sample):
        gt = sample.gt_instances
        sample.pred_instances = InstanceData(
            bboxes=gt.bboxes.tensor, labels=gt.labels,
            scores=torch.ones(len(gt.labels)))

    def perfect_pixels(sample):
        sample.pred_sem_seg = PixelData(data=sample.gt_sem_seg.data.clone())

    for c, dataset, key, fill in (
            (dict(cfg.val_evaluator, ann_file=str(
                coco / 'annotations' / 'instances_holdout2017.json')),
             holdout, 'coco/bbox_mAP', perfect_boxes),
            (cfg_voc.val_evaluator, holdout_voc, 'pascal_voc/mAP',
             perfect_boxes),
            (cfg_seg.val_evaluator, holdout_seg, 'mIoU', perfect_pixels)):
        metric = METRICS.build(c)
        metric.dataset_meta = dataset.metainfo
        for k in range(len(dataset)):
            sample = dataset[k]['data_samples']
            fill(sample)
            metric.process({}, [sample.to_dict()])
        value = metric.evaluate(len(dataset))[key]
        assert value == pytest.approx(100.0 if key == 'mIoU' else 1.0), key
