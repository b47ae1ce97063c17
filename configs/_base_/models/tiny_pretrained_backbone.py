# The tiny-track backbone as the transfer configs start it: MobileNetV2
# x0.35 (kdbench.SliceableMobileNetV2, plain) loaded strictly from a tiny
# pretraining run's weights.pth (the deployed classifier; its 'backbone.'
# tensors). tools/transfer.py points `checkpoint` at each pretraining
# method's run; the default is the plain baseline's seed-0 run of
# configs/benchmarks/tiny_mini.py.
# Configs that inherit this add the rest of `model` (detector, segmentor or
# classifier) and the backbone's out_indices.
model = dict(
    backbone=dict(
        type='kdbench.SliceableMobileNetV2',
        widen_factor=0.35,
        init_cfg=dict(
            type='kdbench.PretrainedBackbone',
            checkpoint='work_dirs/benchmarks/tiny_mini/baseline/seed0/'
            'weights.pth',
            made_by='configs/tiny/baseline/'
            'mbv2-w0.35_1xb128-10e_canvas64-mini.py')))
