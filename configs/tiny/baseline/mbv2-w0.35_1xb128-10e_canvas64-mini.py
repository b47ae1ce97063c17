# Plain tiny network (method id `baseline` of the tiny track): MobileNetV2
# x0.35 trained alone on 5k items-on-canvas images, 10 epochs. Also the
# config that loads any tiny-track weights.pth in tools/test.py.
_base_ = [
    '../../_base_/models/mbv2-w0.35_canvas.py',
    '../../_base_/datasets/mini_fashion_mnist_canvas64_tiny.py',
    '../../_base_/schedules/mini_tiny.py',
    '../../_base_/cls_runtime.py',
]
