# Fashion-MNIST items on 64x64 textured canvases (kdbench.ItemOnCanvas): the
# mini track's analogue of ImageNet, on which detection and segmentation
# backbones are pretrained. Items are drawn as in the mini scenes (tinted,
# 20-64 px, on the scenes' backgrounds), so what a backbone learns here
# transfers to them. All 60k training items; validation on the first 2000
# test items, each drawn on the canvas its index seeds (the same images in
# every evaluation of every run).
#
# The images come out RGB and are normalised with the ImageNet mean / std,
# exactly as the mmdet / mmseg data preprocessors of the scene configs do.
dataset_type = 'kdbench.MiniFashionMNIST'
data_root = 'data/fashion_mnist'

data_preprocessor = dict(num_classes=10, mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=False)

train_pipeline = [
    dict(type='kdbench.ItemOnCanvas', canvas_size=64),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='kdbench.ItemOnCanvas', canvas_size=64, seed_from_index=True),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 test_mode=True, indices=2000, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
