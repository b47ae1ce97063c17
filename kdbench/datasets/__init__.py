"""Mini datasets built from Fashion-MNIST in the real COCO / VOC / Cityscapes
layouts (see ``tools/prepare_data.py``). Importing this package imports
neither torch nor any mm* package."""
from .fashion_mnist import (FASHION_MNIST_CLASSES, FashionMNISTNotFoundError,
                            locate_source)

__all__ = ['FASHION_MNIST_CLASSES', 'FashionMNISTNotFoundError',
           'locate_source']
