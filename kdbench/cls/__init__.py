"""Classification glue: the mini Fashion-MNIST dataset."""
from .mini_fashion_mnist import MiniFashionMNIST

__all__ = ['MiniFashionMNIST']
