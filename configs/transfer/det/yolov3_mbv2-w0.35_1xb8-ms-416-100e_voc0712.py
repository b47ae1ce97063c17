# Detection transfer of a tiny backbone, full scale (task `transfer_det` of
# configs/benchmarks/transfer_in1k.py; METHODS.md §5.3): mmdet's YOLOv3 on
# MobileNetV2 x0.35 pretrained on ImageNet at r160, the whole network
# fine-tuned on VOC07+12 trainval and evaluated on VOC07 test, mAP at IoU
# 0.5 (AP50, VOC07 11-point).
# - Model: the layout of mmdet's yolov3_mobilenetv2 configs (stages 3 / 5 / 7
#   at strides 8 / 16 / 32, YOLOV3Neck and YOLOV3Head at 96 channels, their
#   COCO anchors, losses, assigner and test settings), 20 classes. The
#   backbone keeps the ReLU6 it was pretrained with (mmdet's uses
#   LeakyReLU).
# - Data: mmdet's VOC0712 dataset config (through ../../_base_/datasets/),
#   with the train / test pipelines of mmdet's yolov3_mobilenetv2 ms-416
#   config (Expand, MinIoURandomCrop, random 320-416 resize, flip,
#   photometric distortion; test at 416x416, the paper's r416).
# - Schedule: the one §5.3 states for VOC detection (NetDistiller's): SGD,
#   lr 1e-4, cosine, 100 epochs, batch 8. §5.3 gives no other detection
#   schedule, and lr 1e-4 at batch 8 is mmdet's yolov3_mobilenetv2 lr
#   (0.003 at batch 192) scaled linearly. What §5.3 leaves open comes from
#   mmdet's yolov3_mobilenetv2: momentum 0.9, weight decay 5e-4, gradient
#   clipping at 35, and its linear warm-up over the first 4000 iterations.
#   One epoch is one pass over 07+12 (mmdet's base repeats it 3x; here x1).
_base_ = [
    '../../_base_/models/yolov3_mbv2-w0.35.py',
    '../../_base_/datasets/voc0712.py',
    '../../_base_/det_runtime.py',
    '../../_base_/tiny_in1k_backbone_init.py',
]
# the backbone from an ImageNet r160 pretraining run
model = dict(backbone=dict(init_cfg={{_base_.tiny_in1k_init}}))

# dataset: mmdet's VOC0712 with mmdet's yolov3_mobilenetv2 ms-416 pipelines
dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
backend_args = None
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Expand', mean={{_base_.data_preprocessor.mean}},
         to_rgb=True, ratio_range=(1, 2)),
    dict(type='MinIoURandomCrop', min_ious=(0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
         min_crop_size=0.3),
    dict(type='RandomResize', scale=[(320, 320), (416, 416)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(416, 416), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(  # RepeatDataset
        times=1,
        dataset=dict(  # ConcatDataset of VOC2007 + VOC2012 trainval
            datasets=[
                dict(
                    type=dataset_type,
                    data_root=data_root,
                    ann_file='VOC2007/ImageSets/Main/trainval.txt',
                    data_prefix=dict(sub_data_root='VOC2007/'),
                    filter_cfg=dict(filter_empty_gt=True, min_size=32,
                                    bbox_min_size=32),
                    pipeline=train_pipeline,
                    backend_args=backend_args),
                dict(
                    type=dataset_type,
                    data_root=data_root,
                    ann_file='VOC2012/ImageSets/Main/trainval.txt',
                    data_prefix=dict(sub_data_root='VOC2012/'),
                    filter_cfg=dict(filter_empty_gt=True, min_size=32,
                                    bbox_min_size=32),
                    pipeline=train_pipeline,
                    backend_args=backend_args)
            ])))
val_dataloader = dict(batch_size=8, num_workers=4,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# schedule (METHODS §5.3; see the header)
max_epochs = 100
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-4, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=False, begin=0,
         end=4000),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         eta_min=0.0, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
auto_scale_lr = dict(enable=False, base_batch_size=8)
# the backbone's final 1x1 conv (out index 7) is not used by the neck
find_unused_parameters = True
