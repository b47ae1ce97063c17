# Student segmentor of the mini segmentation track: the teacher's PSPNet
# with ResNet-18 at 1/4 width (stem and stages 16-32-64-128 ch) and heads
# at 1/4 width (PSP 128 -> 32, auxiliary 64 -> 16). Same output stride (8)
# as the teacher, so the pixel-wise and pair-wise terms compare maps of the
# same size without resizing.
_base_ = ['./pspnet_r18-d8_mini.py']
model = dict(
    backbone=dict(
        stem_channels=16,
        base_channels=16,
        init_cfg={{_base_.r18_w16_pretrained}}),
    decode_head=dict(in_channels=128, channels=32),
    auxiliary_head=dict(in_channels=64, channels=16))
