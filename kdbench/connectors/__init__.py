from .adapters import ConvAdapter, LinearAdapter, Resize
from .channels import infer_out_channels

__all__ = ['ConvAdapter', 'LinearAdapter', 'Resize', 'infer_out_channels']
