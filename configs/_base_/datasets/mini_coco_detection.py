# Mini COCO detection: Fashion-MNIST composite scenes, 128x128, in the COCO
# 2017 layout under data/mini_coco/ (built by tools/prepare_data.py;
# 1000 train2017 / 200 holdout2017 / 200 val2017 images, 10 classes).
# Three disjoint splits, fixed for every run:
#   train2017    the training scenes;
#   holdout2017  the validation split: scenes drawn from Fashion-MNIST
#                items no training scene uses, never trained on; the val
#                loop after every epoch, the learning curves, and the only
#                split hyper-parameters are chosen on (the benchmark
#                runner's tuning grid);
#   val2017      the test split (COCO's own val2017 plays the test role,
#                as in mmdet's configs): evaluated once after training,
#                the leaderboard's number (tools/benchmark.py sets
#                `test_after_train=True`; by hand: `--cfg-options
#                test_after_train=True`, or tools/test.py on weights.pth).
#
# Scope: the dataset and evaluator dicts carry `_scope_='mmdet'` (what
# mmengine itself adds to dicts inherited from `mmdet::` bases), so they and
# the pipelines below, written exactly as in mmdet's own configs, resolve in
# mmdet's registries whatever `default_scope` the including config sets.
# Keep `_scope_` when overriding these dicts in a child config.
# num_workers=0: loading 8 small JPEGs costs a few ms; worker processes would
# only compete with the model for the 2 CPU cores (raise it on GPU machines).
dataset_type = 'CocoDataset'
data_root = 'data/mini_coco/'
metainfo = dict(
    classes=('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
             'Shirt', 'Sneaker', 'Bag', 'Ankle boot'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230),
             (106, 0, 228), (0, 60, 100), (0, 80, 100), (0, 0, 70),
             (250, 170, 30), (0, 130, 70)])
image_size = (128, 128)  # (w, h), the size the scenes are drawn at
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        _scope_='mmdet',
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_holdout2017.json',
        data_prefix=dict(img='holdout2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = dict(
    batch_size=8,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))

val_evaluator = dict(
    _scope_='mmdet',
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_holdout2017.json',
    metric='bbox',
    format_only=False,
    backend_args=backend_args)
test_evaluator = dict(
    _scope_='mmdet',
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    metric='bbox',
    format_only=False,
    backend_args=backend_args)
