# Plain student of the mini classification benchmark (method id `baseline`):
# ResNet-18 (CIFAR stem) at 1/8 width, 3 epochs on the 5k Fashion-MNIST
# subset, the same schedule every distiller of the suite uses. Also the
# config that loads a distilled student's weights.pth in tools/test.py.
_base_ = [
    '../../_base_/models/resnet18-w8_fmnist.py',
    '../../_base_/datasets/mini_fashion_mnist.py',
    '../../_base_/schedules/mini_cls.py',
    '../../_base_/cls_runtime.py',
]
