from .adapters import ConvAdapter, LinearAdapter, Resize
from .channels import infer_out_channels
from .factor_transfer import FactorTranslator, Paraphraser
from .mgd import MGDGenerator

__all__ = ['ConvAdapter', 'LinearAdapter', 'Resize', 'infer_out_channels',
           'FactorTranslator', 'Paraphraser', 'MGDGenerator']
