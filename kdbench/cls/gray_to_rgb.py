"""Grey images as three identical colour channels."""
import numpy as np
from mmcv.transforms import BaseTransform

from kdbench.registry import TRANSFORMS


@TRANSFORMS.register_module()
class GrayToRGB(BaseTransform):
    """Repeat a grey image (H, W) or (H, W, 1) into (H, W, 3), for networks
    pretrained on colour images (the tiny-track transfer to raw
    Fashion-MNIST). Colour input is refused: it is not grey."""

    def transform(self, results: dict) -> dict:
        img = np.asarray(results['img'])
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.ndim != 2:
            raise ValueError(f'GrayToRGB expects a grey image (H, W) or '
                             f'(H, W, 1), got shape {img.shape}.')
        results['img'] = np.repeat(img[..., None], 3, axis=-1)
        return results
