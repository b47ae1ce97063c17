"""Classification glue: the mini Fashion-MNIST dataset and the item-on-canvas
transform that pretrains detection / segmentation backbones."""
from .gray_to_rgb import GrayToRGB
from .item_on_canvas import ItemOnCanvas
from .mini_fashion_mnist import MiniFashionMNIST

__all__ = ['GrayToRGB', 'ItemOnCanvas', 'MiniFashionMNIST']
