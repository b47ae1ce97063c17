"""Fashion-MNIST items drawn as the mini detection / segmentation scenes draw
them, one per image, for pretraining detection and segmentation backbones."""
import numpy as np
from mmcv.transforms import BaseTransform

from kdbench.datasets.scenes import (SceneSpec, random_colour, resize_item,
                                     textured_background)
from kdbench.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ItemOnCanvas(BaseTransform):
    """Paste the 28x28 grey item of ``results['img']`` on a textured
    ``canvas_size`` canvas, tinted with a random colour, exactly as
    ``kdbench.datasets.scenes.compose_scene`` paints scene items: random
    height in ``[min_size, max_size]``, aspect jitter, random position,
    painted pixel = tint * (0.25 + 0.75 * intensity / 255) where intensity >
    ``fg_threshold``. The output is RGB uint8 (H, W, 3).

    This is the mini track's analogue of ImageNet pretraining: a backbone
    classifies single items on the scenes' backgrounds before it detects or
    segments them in cluttered scenes. Randomness comes from numpy's global
    generator, which mmengine seeds per worker.

    ``seed_from_index=True`` (the evaluation pipelines) draws each canvas
    from a generator seeded with the sample's index instead, so every
    evaluation of every run scores the same images, whatever consumed the
    global generator before it (e.g. NetAug's BatchNorm re-estimation).
    """

    def __init__(self, canvas_size: int = 64, min_size: int = 20,
                 max_size: int = 64, max_aspect: float = 1.25,
                 fg_threshold: int = 40, seed_from_index: bool = False):
        self.seed_from_index = seed_from_index
        if not 0 < min_size <= max_size <= canvas_size:
            raise ValueError(
                f'ItemOnCanvas needs 0 < min_size <= max_size <= canvas_size, '
                f'got min_size={min_size}, max_size={max_size}, '
                f'canvas_size={canvas_size}.')
        self.spec = SceneSpec(height=canvas_size, width=canvas_size,
                              min_size=min_size, max_size=max_size,
                              max_aspect=max_aspect,
                              fg_threshold=fg_threshold)

    def transform(self, results: dict) -> dict:
        item = np.asarray(results['img'])
        if item.ndim == 3 and item.shape[-1] == 1:
            item = item[..., 0]
        if item.ndim != 2:
            raise ValueError(
                f'ItemOnCanvas expects a grey item (H, W) or (H, W, 1), got '
                f'shape {item.shape}; put it first in the pipeline, before '
                f'any transform that adds colour channels.')
        spec = self.spec
        rng = np.random.default_rng(self._seed(results))
        height = int(rng.integers(spec.min_size, spec.max_size + 1))
        aspect = float(np.exp(rng.uniform(-1, 1) * np.log(spec.max_aspect)))
        width = int(np.clip(round(height * aspect), spec.min_size,
                            spec.max_size))
        y = int(rng.integers(0, spec.height - height + 1))
        x = int(rng.integers(0, spec.width - width + 1))
        canvas = textured_background(rng, spec.height, spec.width)
        intensity = resize_item(item.astype(np.uint8), height, width)
        shade = 0.25 + 0.75 * intensity.astype(np.float32) / 255
        painted = np.clip(np.rint(shade[..., None] * random_colour(rng)),
                          0, 255).astype(np.uint8)
        foreground = intensity > spec.fg_threshold
        canvas[y:y + height, x:x + width][foreground] = painted[foreground]
        results['img'] = canvas
        results['img_shape'] = canvas.shape[:2]
        results['ori_shape'] = canvas.shape[:2]
        return results

    def _seed(self, results: dict) -> int:
        if not self.seed_from_index:
            return np.random.randint(2**31)
        if 'sample_idx' not in results:
            raise KeyError(
                'ItemOnCanvas(seed_from_index=True) needs results'
                "['sample_idx'] (set by mmengine's BaseDataset); use it in a "
                'dataset pipeline or pass sample_idx yourself.')
        return int(results['sample_idx'])

    def __repr__(self) -> str:
        s = self.spec
        return (f'{type(self).__name__}(canvas_size={s.height}, '
                f'min_size={s.min_size}, max_size={s.max_size}, '
                f'max_aspect={s.max_aspect}, fg_threshold={s.fg_threshold}, '
                f'seed_from_index={self.seed_from_index})')
