# Mini Cityscapes: Fashion-MNIST composite scenes, 128x256 (H x W), in the
# Cityscapes layout under data/mini_cityscapes/ (built by
# tools/prepare_data.py; 1000 train / 200 holdout / 200 val),
# *_gtFine_labelTrainIds.png with 11 classes: 0 = background, 1..10 =
# Fashion-MNIST (no 255 pixels).
# Splits: train; `holdout` (cities erfurt and jena, scenes drawn from
# Fashion-MNIST items no training scene uses) is the validation split (the
# val loop, the learning curves, the benchmark runner's tuning); `val` is
# the test split (Cityscapes' val plays the test role, as in mmseg's
# configs), evaluated once after training with `test_after_train=True`.
#
# Dataset type: mmseg's CityscapesDataset cannot take these classes (its
# BaseSegDataset only accepts a subset of the 19 Cityscapes classes and
# raises ValueError otherwise), so the data is read by BaseSegDataset with
# CityscapesDataset's suffixes -- exactly what CityscapesDataset does, minus
# its fixed class list.
#
# Scope: the dataset and evaluator dicts carry `_scope_='mmseg'` (what
# mmengine itself adds to dicts inherited from `mmseg::` bases), so they and
# the pipelines below, written exactly as in mmseg's own configs, resolve in
# mmseg's registries whatever `default_scope` the including config sets.
# Keep `_scope_` when overriding these dicts in a child config.
# num_workers=0: loading 8 small PNGs costs a few ms; worker processes would
# only compete with the model for the 2 CPU cores (raise it on GPU machines).
dataset_type = 'BaseSegDataset'
data_root = 'data/mini_cityscapes/'
metainfo = dict(
    classes=('background', 'T-shirt/top', 'Trouser', 'Pullover', 'Dress',
             'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'),
    palette=[[0, 0, 0], [220, 20, 60], [119, 11, 32], [0, 0, 142],
             [0, 0, 230], [106, 0, 228], [0, 60, 100], [0, 80, 100],
             [0, 0, 70], [250, 170, 30], [0, 130, 70]])
scale = (256, 128)  # (w, h), the size the scenes are drawn at
# (h, w) training crops: half a scene after the random rescale (0.75-1.5),
# which holds whole items (20-64 px) at half the cost of full scenes;
# evaluation sees whole 128x256 scenes
crop_size = (128, 128)
dataset_args = dict(
    type=dataset_type,
    data_root=data_root,
    metainfo=metainfo,
    img_suffix='_leftImg8bit.png',
    seg_map_suffix='_gtFine_labelTrainIds.png',
    reduce_zero_label=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=scale,
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    # add loading annotation after ``Resize`` because ground truth
    # does not need to do resize data transform
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        _scope_='mmseg',
        **dataset_args,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmseg',
        **dataset_args,
        data_prefix=dict(
            img_path='leftImg8bit/holdout', seg_map_path='gtFine/holdout'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmseg',
        **dataset_args,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        test_mode=True,
        pipeline=test_pipeline))

val_evaluator = dict(_scope_='mmseg', type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
