# Mini PASCAL VOC 07+12: Fashion-MNIST composite scenes, 128x128, in the VOC
# layout under data/mini_voc/VOCdevkit/ (built by tools/prepare_data.py):
# train on VOC2007 trainval (1000) + VOC2012 trainval (200), validate on
# VOC2007 `holdout` (200 scenes drawn from Fashion-MNIST items no training
# scene uses: the val loop, the learning curves and the benchmark runner's
# tuning), test on VOC2007 test (200; evaluated once after training, the
# leaderboard's number, with `test_after_train=True`); 10 classes;
# VOCMetric in VOC2007's '11points' mode.
#
# Scope: the dataset and evaluator dicts carry `_scope_='mmdet'` (what
# mmengine itself adds to dicts inherited from `mmdet::` bases), so they and
# the pipelines below, written exactly as in mmdet's own configs, resolve in
# mmdet's registries whatever `default_scope` the including config sets.
# Keep `_scope_` when overriding these dicts in a child config.
# num_workers=0: loading 8 small JPEGs costs a few ms; worker processes would
# only compete with the model for the 2 CPU cores (raise it on GPU machines).
dataset_type = 'VOCDataset'
data_root = 'data/mini_voc/VOCdevkit/'
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
    # avoid bboxes being resized
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
        type='ConcatDataset',
        # VOCDataset adds its own `dataset_type` (VOC2007 / VOC2012) to the
        # metainfo, which ConcatDataset would reject as a mismatch.
        ignore_keys=['dataset_type'],
        datasets=[
            dict(
                type=dataset_type,
                data_root=data_root,
                metainfo=metainfo,
                ann_file='VOC2007/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2007/'),
                filter_cfg=dict(filter_empty_gt=True, min_size=8),
                pipeline=train_pipeline,
                backend_args=backend_args),
            dict(
                type=dataset_type,
                data_root=data_root,
                metainfo=metainfo,
                ann_file='VOC2012/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2012/'),
                filter_cfg=dict(filter_empty_gt=True, min_size=8),
                pipeline=train_pipeline,
                backend_args=backend_args)
        ]))
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
        ann_file='VOC2007/ImageSets/Main/holdout.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
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
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))

# PASCAL VOC2007 uses `11points` as default evaluate mode, while PASCAL
# VOC2012 defaults to use 'area'.
val_evaluator = dict(
    _scope_='mmdet', type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator
