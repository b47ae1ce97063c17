# Fine-grained classification transfer of a tiny backbone, full scale (task
# `transfer_cls_food101` of configs/benchmarks/transfer_in1k.py; NetAug's
# protocol, METHODS.md §5.3): MobileNetV2 x0.35 pretrained on ImageNet at
# r160, the whole network fine-tuned with the plain configuration on Food-101
# (101 classes; train on 'train', test on 'test'), 160 px, 50 + 5 warm-up
# epochs at batch 64 x 4 GPUs, lr 0.4, label smoothing 0.1, dropout 0.2. Data
# laid out as mmpretrain.datasets.Food101 describes, under data/food-101.
_base_ = [
    '../../_base_/models/mbv2-w0.35_finegrained_in1k.py',
    '../../_base_/datasets/finegrained_bs64_r160.py',
    '../../_base_/schedules/finegrained_4xb64_50e.py',
    '../../_base_/cls_runtime.py',
]
model = dict(head=dict(num_classes=101))
data_root = 'data/food-101'
train_dataloader = dict(
    dataset=dict(type='Food101', data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type='Food101', data_root=data_root, split='test'))
test_dataloader = val_dataloader
