"""Mini backbone pretraining: the item-on-canvas transform, the strict
PretrainedBackbone init, the pretraining configs' fit to the detectors, and
the runner's pretrained step."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from kdbench.compat import save_weights
from kdbench.engine.initializers import (PretrainedBackbone,
                                         PretrainedMismatchError)
from kdbench.registry import TRANSFORMS

from conftest import REPO

PRETRAIN_T = 'configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py'
PRETRAIN_S = 'configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py'


def _resnet(base_channels=64):
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(dict(type='ResNet', depth=18,
                             base_channels=base_channels,
                             out_indices=(0, 1, 2, 3)))


# ------------------------------------------------------------ transform
def test_item_on_canvas_paints_a_tinted_item_on_a_textured_canvas():
    np.random.seed(0)
    canvas = TRANSFORMS.build(dict(type='kdbench.ItemOnCanvas',
                                   canvas_size=64))
    full = np.full((28, 28), 255, np.uint8)  # every pixel is foreground
    out = canvas(dict(img=full.copy()))['img']
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    # intensity 255 paints tint * 1.0: one colour over a whole rectangle of
    # at least 20 x 16 px (min height 20, aspect >= 1/1.25)
    colours, counts = np.unique(out.reshape(-1, 3), axis=0,
                                return_counts=True)
    top = colours[counts.argmax()]
    ys, xs = np.nonzero((out == top).all(-1))
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    assert 20 <= h <= 64 and 16 <= w <= 64
    assert counts.max() >= h * w  # the rectangle is solid
    # the background is textured, not flat: many other colours
    assert len(colours) > 200
    # a blank item (intensity 0 everywhere) paints nothing: no colour
    # covers a 20 x 16 rectangle
    np.random.seed(0)
    blank = canvas(dict(img=np.zeros((28, 28), np.uint8)))['img']
    assert np.unique(blank.reshape(-1, 3), axis=0,
                     return_counts=True)[1].max() < 20 * 16


def test_item_on_canvas_rejects_colour_input_and_bad_sizes():
    canvas = TRANSFORMS.build(dict(type='kdbench.ItemOnCanvas'))
    with pytest.raises(ValueError, match='grey item'):
        canvas(dict(img=np.zeros((28, 28, 3), np.uint8)))
    with pytest.raises(ValueError, match='max_size <= canvas_size'):
        TRANSFORMS.build(dict(type='kdbench.ItemOnCanvas', canvas_size=32,
                              max_size=64))


def test_item_on_canvas_seeded_by_index_ignores_the_global_generator():
    """Evaluation canvases depend on the sample index only: consuming the
    global generator in between (as BN re-estimation does) changes nothing,
    and two indices give two different canvases."""
    canvas = TRANSFORMS.build(dict(type='kdbench.ItemOnCanvas',
                                   seed_from_index=True))
    item = np.tile(np.arange(0, 252, 9, dtype=np.uint8), (28, 1))
    np.random.seed(0)
    first = canvas(dict(img=item.copy(), sample_idx=7))['img']
    np.random.seed(123)
    np.random.rand(4000)
    again = canvas(dict(img=item.copy(), sample_idx=7))['img']
    other = canvas(dict(img=item.copy(), sample_idx=8))['img']
    np.testing.assert_array_equal(first, again)
    assert (first != other).any()
    # the training transform keeps drawing from the global generator
    train = TRANSFORMS.build(dict(type='kdbench.ItemOnCanvas'))
    np.random.seed(0)
    a = train(dict(img=item.copy(), sample_idx=7))['img']
    b = train(dict(img=item.copy(), sample_idx=7))['img']
    assert (a != b).any()
    with pytest.raises(KeyError, match='sample_idx'):
        canvas(dict(img=item.copy()))


def test_mini_canvas_validation_set_is_the_same_in_every_run():
    """The configs' validation pipeline seeds canvases by index."""
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/_base_/datasets/mini_fashion_mnist_canvas64.py'))
    val = cfg.val_dataloader.dataset.pipeline[0]
    train = cfg.train_dataloader.dataset.pipeline[0]
    assert val.seed_from_index is True
    assert not train.get('seed_from_index', False)


# ----------------------------------------------------- strict pretrained
def test_pretrained_backbone_loads_every_tensor(tmp_path):
    source = _resnet()
    for p in source.parameters():
        torch.nn.init.normal_(p)
    path = str(tmp_path / 'weights.pth')
    save_weights({'backbone.' + k: v
                  for k, v in source.state_dict().items()}, path)
    target = _resnet()
    PretrainedBackbone(checkpoint=path)(target)
    for (k, a), b in zip(source.state_dict().items(),
                         target.state_dict().values()):
        assert torch.equal(a, b), k


def test_pretrained_backbone_missing_file_names_the_command(tmp_path):
    init = PretrainedBackbone(
        checkpoint=str(tmp_path / 'pre' / 'weights.pth'), made_by=PRETRAIN_T)
    with pytest.raises(FileNotFoundError) as err:
        init(_resnet())
    msg = str(err.value)
    assert f'python tools/train.py {PRETRAIN_T} --work-dir' in msg
    assert str(tmp_path / 'pre') in msg


def test_pretrained_backbone_refuses_other_widths_and_prefixes(tmp_path):
    path = str(tmp_path / 'w16.pth')
    save_weights({'backbone.' + k: v
                  for k, v in _resnet(16).state_dict().items()}, path)
    with pytest.raises(PretrainedMismatchError) as err:
        PretrainedBackbone(checkpoint=path)(_resnet(64))
    assert 'conv1.weight: checkpoint (16, 3, 7, 7) vs module (64, 3, 7, 7)' \
        in str(err.value)
    with pytest.raises(PretrainedMismatchError, match='keys missing'):
        PretrainedBackbone(checkpoint=path, prefix='model.')(_resnet(16))


def test_pretrained_backbone_is_used_through_init_cfg(tmp_path):
    """mmengine's init_weights finds the kdbench initializer by its scoped
    type name, under mmdet's default scope."""
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    source = _resnet(16)
    path = str(tmp_path / 'w16.pth')
    save_weights({'backbone.' + k: v
                  for k, v in source.state_dict().items()}, path)
    with DefaultScope.overwrite_default_scope('mmdet'):
        net = MODELS.build(dict(
            type='ResNet', depth=18, base_channels=16,
            init_cfg=dict(type='kdbench.PretrainedBackbone',
                          checkpoint=path)))
    net.init_weights()
    assert torch.equal(net.conv1.weight, source.conv1.weight)


# ------------------------------------------------------------- configs
@pytest.mark.parametrize('pretrain, detector', [
    (PRETRAIN_T, 'configs/_base_/models/gfl_r18-fpn64_mini.py'),
    (PRETRAIN_S, 'configs/_base_/models/gfl_r18-w16-fpn64_mini.py'),
    (PRETRAIN_T, 'configs/_base_/models/faster-rcnn_r18-fpn64_mini.py'),
    (PRETRAIN_S, 'configs/_base_/models/faster-rcnn_r18-w16-fpn64_mini.py'),
])
def test_pretraining_configs_fit_the_mini_detectors(pretrain, detector):
    """The classifier a pretraining config trains holds exactly the tensors
    the detector's backbone loads, and the detector names that config."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS as CLS_MODELS

    from kdbench.distillers import build_model
    cfg = Config.fromfile(osp.join(REPO, pretrain))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        classifier = CLS_MODELS.build(cfg.model)
    images = torch.randint(0, 255, (2, 3, 64, 64)).float()
    from mmpretrain.structures import DataSample
    samples = [DataSample().set_gt_label(i) for i in range(2)]
    data = classifier.data_preprocessor(
        dict(inputs=list(images), data_samples=samples), True)
    losses = classifier(**data, mode='loss')
    assert torch.isfinite(losses['loss'])

    det_cfg = Config.fromfile(osp.join(REPO, detector)).model
    init = det_cfg.backbone.init_cfg
    assert init.made_by == pretrain
    assert init.checkpoint == ('work_dirs/pretrained/'
                               f'{osp.basename(pretrain)[:-3]}/weights.pth')
    detector_net = build_model(detector, 'student')
    ours = {k[len('backbone.'):]: v.shape
            for k, v in classifier.state_dict().items()
            if k.startswith('backbone.')}
    theirs = {k: v.shape for k, v in detector_net.backbone.state_dict().items()}
    assert ours == theirs


# --------------------------------------------------------------- runner
def test_runner_pretrain_step_uses_cached_weights(tmp_path, monkeypatch):
    from kdbench.leaderboard import runner as runner_mod
    monkeypatch.setattr(runner_mod, 'PRETRAINED_ROOT', str(tmp_path))
    suite = tmp_path / 'suite.py'
    suite.write_text(f'''
task = 'detection'
benchmark = 'test'
dataset = 'coco'
metric = 'bbox_mAP'
metric_key = 'coco/bbox_mAP'
title = 'T'
leaderboard = {str(tmp_path / 't.md')!r}
seeds = [0]
teacher = dict(name='T', seed=0, config='x.py')
student = 'S'
methods = dict()
pretrained = [{PRETRAIN_S!r}]
''')
    weights = tmp_path / osp.basename(PRETRAIN_S)[:-3] / 'weights.pth'
    bench = runner_mod.BenchmarkRunner(str(suite),
                                       records_path=str(tmp_path / 'r.jsonl'))
    # a finished pretraining of the config as it is now is reused
    bench._claim_work_dir(str(weights.parent), dict(
        config=PRETRAIN_S, options={'randomness.seed': 0},
        config_sha256=bench.config_sha(PRETRAIN_S), teacher_id=None,
        threads=None, pretrained_sha256=None))
    save_weights({'w': torch.ones(2)}, str(weights))
    (weights.parent / 'result.json').write_text(
        '{"seed": 0, "metrics": {"accuracy/top1": 50.0}, "train_s": 1.0}')
    shas = bench.pretrain()
    assert shas == {PRETRAIN_S: runner_mod.file_sha256(str(weights))}
    # the weights are part of a run's identity: other weights, other run
    bench.pretrained_shas = shas
    monkeypatch.setattr(bench, 'config_sha', lambda config: 'x')
    result = dict(iters=1, train_s=1.0, s_per_iter=1.0, peak_mem_mb=1.0,
                  metrics={}, command='python tools/train.py c.py '
                  '--cfg-options randomness.seed=0')
    bench._append('baseline', 0, 'c.py', 1.0, 2.0, result, None)
    from kdbench.leaderboard import read_records
    assert read_records(bench.records_path)[0]['pretrained_sha256'] == shas
    assert bench._recorded('baseline', 0, 'c.py', {})
    bench.pretrained_shas = {PRETRAIN_S: 'other'}
    assert not bench._recorded('baseline', 0, 'c.py', {})

    # an edited pretraining config is trained again, not reused
    class Started(Exception):
        pass

    def popen(*args, **kwargs):
        raise Started
    fresh = runner_mod.BenchmarkRunner(str(suite),
                                       records_path=str(tmp_path / 'r.jsonl'))
    fresh._config_shas[PRETRAIN_S] = 'edited'
    monkeypatch.setattr(runner_mod.subprocess, 'Popen', popen)
    with pytest.raises(Started):
        fresh.pretrain()
    assert not weights.exists()


def test_gray_to_rgb_repeats_grey_and_refuses_colour():
    gray = TRANSFORMS.build(dict(type='kdbench.GrayToRGB'))
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = gray(dict(img=img))['img']
    assert out.shape == (3, 4, 3)
    assert all(np.array_equal(out[..., c], img) for c in range(3))
    with pytest.raises(ValueError, match='grey image'):
        gray(dict(img=np.zeros((3, 4, 3), np.uint8)))
