# Fashion-MNIST (real images, 28x28 gray, 10 classes) read by mmpretrain's
# FashionMNIST class from data/fashion_mnist (made by tools/prepare_data.py).
# Three disjoint splits, fixed for every run:
#   train       the first `train_subset` training images (5k);
#   validation  training images `val_range` (2k, never trained on, by the
#               students or the teacher): the val loop after every epoch,
#               the learning curves, and the only split hyper-parameters
#               are chosen on (the benchmark runner's tuning grid);
#   test        the first `test_subset` test images: evaluated once, after
#               training, the leaderboard's number (tools/benchmark.py sets
#               `test_after_train=True`, which kdbench.RunResultHook
#               reads; by hand: `--cfg-options test_after_train=True`, or
#               tools/test.py on the run's weights.pth).
dataset_type = 'kdbench.MiniFashionMNIST'
data_root = 'data/fashion_mnist'
train_subset = 5000
val_range = (55000, 57000)
test_subset = 10000

# mean / std of the Fashion-MNIST training pixels, in [0, 255]
data_preprocessor = dict(num_classes=10, mean=[72.94], std=[90.0],
                         to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 indices=train_subset, pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 index_range=val_range, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 test_mode=True, indices=test_subset,
                 pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
