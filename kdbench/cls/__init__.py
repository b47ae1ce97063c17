"""Classification glue: the mini Fashion-MNIST and optical-digits datasets,
and the item-on-canvas transform that pretrains detection / segmentation
backbones."""
from .gray_to_rgb import GrayToRGB
from .item_on_canvas import ItemOnCanvas
from .mini_fashion_mnist import MiniFashionMNIST
from .optical_digits import OpticalDigits

__all__ = ['GrayToRGB', 'ItemOnCanvas', 'MiniFashionMNIST', 'OpticalDigits']

# online distillation: ONE's branched network (kdbench.OnlineDistiller)
from .native_ensemble import NativeEnsembleScheme  # noqa: E402

__all__ += ['NativeEnsembleScheme']

# self distillation: BYOT branches, Self-Guidance (kdbench.SelfDistiller)
from .byot_branches import BYOTBranches  # noqa: E402
from .self_guidance_view import SelfGuidanceView  # noqa: E402
from .stochastic_depth import StochasticDepth  # noqa: E402

__all__ += ['BYOTBranches', 'SelfGuidanceView', 'StochasticDepth']

# online distillation: FFSD (kdbench.OnlineDistiller)
from .ffsd_scheme import FFSDScheme  # noqa: E402

__all__ += ['FFSDScheme']
