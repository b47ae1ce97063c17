# The UCI optical handwritten digits that scikit-learn ships
# (kdbench.OpticalDigits): 1797 images of 8x8 px, 10 classes, a fixed split
# of 1097 training, 200 validation (the val loop and any tuning) and 500
# test images (evaluated once after training with `test_after_train=True`,
# the leaderboard's number). The tiny track's second
# classification dataset: another domain (handwriting, not clothing) and
# other classes than the items-on-canvas pretraining. Images are upsampled
# to 32 px, repeated to three channels and normalised with the ImageNet
# statistics, as the pretraining images were.
dataset_type = 'kdbench.OpticalDigits'

data_preprocessor = dict(num_classes=10, mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=False)

train_pipeline = [
    dict(type='Resize', scale=32, interpolation='bilinear'),
    dict(type='RandomCrop', crop_size=32, padding=3),  # no flips: digits
    dict(type='kdbench.GrayToRGB'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='Resize', scale=32, interpolation='bilinear'),
    dict(type='kdbench.GrayToRGB'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(type=dataset_type, num_test=500, num_val=200,
                 split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(type=dataset_type, num_test=500, num_val=200, split='val',
                 test_mode=True, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(type=dataset_type, num_test=500, num_val=200, split='test',
                 test_mode=True, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
