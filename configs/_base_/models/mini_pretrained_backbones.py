# Init of the mini track's ResNet-18 backbones from the mini pretraining
# (configs/pretrain/: Fashion-MNIST items on textured canvases, the mini
# track's ImageNet). kdbench.PretrainedBackbone loads every tensor or stops
# with the reason; a missing file names the command that makes it
# (tools/benchmark.py makes it itself for suites that list it).
r18_pretrained = dict(
    type='kdbench.PretrainedBackbone',
    checkpoint=('work_dirs/pretrained/'
                'resnet18_1xb128-2e_fmnist-canvas64/weights.pth'),
    made_by='configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py')
r18_w16_pretrained = dict(
    type='kdbench.PretrainedBackbone',
    checkpoint=('work_dirs/pretrained/'
                'resnet18-w16_1xb128-2e_fmnist-canvas64/weights.pth'),
    made_by='configs/pretrain/resnet18-w16_1xb128-2e_fmnist-canvas64.py')
