"""Composite scenes: Fashion-MNIST items pasted on textured canvases.

Each scene is a canvas with a textured background (smooth random colour
gradient, low-frequency blotches, a few low-contrast lines/rectangles/
ellipses, pixel noise) and 1-4 Fashion-MNIST items:

* an item is resized to a random height in ``[min_size, max_size]`` px with
  its width jittered by an aspect factor in ``[1/max_aspect, max_aspect]``
  (clipped to ``max_size``), placed fully inside the canvas at a random
  position, and tinted with a random saturated colour: painted pixel =
  tint * (0.25 + 0.75 * intensity / 255);
* its foreground is the resized item's pixels with intensity
  > ``fg_threshold`` (0-255); only foreground pixels are painted (hard
  compositing, no blending), so every image pixel belongs to exactly one
  item or to the background;
* items are pasted in order, later items occlude earlier ones; an
  instance's mask is its foreground minus what later items cover;
* items whose visible area is under ``min_visible_area`` are removed from
  the scene altogether (not drawn, so no unlabelled fragments remain); this
  only uncovers earlier items, so the remaining ones stay above the limit.
  If no item is left (a lone sparse sandal), the items are drawn again, so
  every scene has at least one instance.

All randomness comes from the ``numpy.random.Generator`` passed in, and all
draws for a scene happen in a fixed order, so a seed fixes the scene. Pure
numpy + OpenCV; images are RGB uint8.
"""
from dataclasses import dataclass, field
from typing import Iterator, List, Tuple

import cv2
import numpy as np


@dataclass(frozen=True)
class SceneSpec:
    """How scenes are drawn. Sizes in pixels, intensities in 0..255."""
    height: int = 128
    width: int = 128
    min_items: int = 1
    max_items: int = 4
    min_size: int = 20
    max_size: int = 64
    max_aspect: float = 1.25
    fg_threshold: int = 40
    min_visible_area: int = 40


DETECTION_SPEC = SceneSpec(height=128, width=128)
MAX_ATTEMPTS = 100  # draws of a scene's items before giving up
SEGMENTATION_SPEC = SceneSpec(height=128, width=256)  # Cityscapes' 1:2


@dataclass
class Instance:
    label: int  # 0-based Fashion-MNIST class index
    mask: np.ndarray  # bool (H, W): visible pixels
    source_index: int  # index of the item in its Fashion-MNIST split


@dataclass
class Scene:
    image: np.ndarray  # uint8 (H, W, 3), RGB
    instances: List[Instance] = field(default_factory=list)

    def label_map(self) -> np.ndarray:
        """uint8 (H, W): 0 = background, 1 + class index for item pixels."""
        labels = np.zeros(self.image.shape[:2], np.uint8)
        for inst in self.instances:
            labels[inst.mask] = inst.label + 1
        return labels


def tight_box(mask: np.ndarray) -> Tuple[int, int, int, int]:
    """(x_min, y_min, x_max, y_max), inclusive pixel indices of a mask."""
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def random_colour(rng, sat=(150, 256), val=(170, 256)) -> np.ndarray:
    """A random RGB colour (float32, 0..255) with bounded saturation/value."""
    hsv = np.array([[[rng.integers(0, 180), rng.integers(*sat),
                      rng.integers(*val)]]], np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def textured_background(rng, height: int, width: int) -> np.ndarray:
    """Muted colour gradient + blotches + low-contrast clutter + noise."""
    grey = rng.uniform(50, 200, size=(3, 3, 1))
    corners = (grey + rng.uniform(-45, 45, size=(3, 3, 3))).astype(np.float32)
    canvas = cv2.resize(corners, (width, height),
                        interpolation=cv2.INTER_LINEAR)
    blotches = rng.normal(0, 12, size=(6, 6, 3)).astype(np.float32)
    canvas += cv2.resize(blotches, (width, height),
                         interpolation=cv2.INTER_CUBIC)
    for _ in range(int(rng.integers(3, 9))):
        colour = tuple(float(c) for c in rng.uniform(-25, 25, size=3))
        thickness = int(rng.integers(1, 4))
        x0, x1 = (int(v) for v in rng.integers(0, width, size=2))
        y0, y1 = (int(v) for v in rng.integers(0, height, size=2))
        clutter = np.zeros_like(canvas)
        kind = int(rng.integers(3))
        if kind == 0:
            cv2.line(clutter, (x0, y0), (x1, y1), colour, thickness,
                     cv2.LINE_AA)
        elif kind == 1:
            cv2.rectangle(clutter, (x0, y0), (x1, y1), colour, thickness,
                          cv2.LINE_AA)
        else:
            axes = (int(rng.integers(3, 24)), int(rng.integers(3, 24)))
            angle = float(rng.uniform(0, 180))
            cv2.ellipse(clutter, (x0, y0), axes, angle, 0, 360, colour,
                        thickness, cv2.LINE_AA)
        canvas += clutter
    canvas += rng.normal(0, rng.uniform(3, 8), size=canvas.shape)
    return np.clip(np.rint(canvas), 0, 255).astype(np.uint8)


def resize_item(item: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a 28x28 item (INTER_AREA when shrinking, else linear)."""
    shrinking = height < item.shape[0] or width < item.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(item, (width, height), interpolation=interpolation)


@dataclass
class _Placement:
    source_index: int
    label: int
    y: int
    x: int
    intensity: np.ndarray  # uint8 (h, w)
    tint: np.ndarray  # float32 (3,)

    def foreground(self, spec: SceneSpec) -> np.ndarray:
        mask = np.zeros((spec.height, spec.width), bool)
        h, w = self.intensity.shape
        mask[self.y:self.y + h, self.x:self.x + w] = \
            self.intensity > spec.fg_threshold
        return mask


def _draw_placements(rng, images, labels, spec: SceneSpec):
    placements = []
    for _ in range(int(rng.integers(spec.min_items, spec.max_items + 1))):
        index = int(rng.integers(len(images)))
        height = int(rng.integers(spec.min_size, spec.max_size + 1))
        aspect = float(np.exp(rng.uniform(-1, 1) * np.log(spec.max_aspect)))
        width = int(np.clip(round(height * aspect), spec.min_size,
                            min(spec.max_size, spec.width)))
        height = min(height, spec.height)
        y = int(rng.integers(0, spec.height - height + 1))
        x = int(rng.integers(0, spec.width - width + 1))
        placements.append(
            _Placement(index, int(labels[index]), y, x,
                       resize_item(images[index], height, width),
                       random_colour(rng)))
    return placements


def _owner_map(foregrounds, shape) -> np.ndarray:
    """Index of the topmost item at each pixel, -1 for background."""
    owner = np.full(shape, -1, np.int32)
    for k, fg in enumerate(foregrounds):
        owner[fg] = k
    return owner


def compose_scene(rng, images: np.ndarray, labels: np.ndarray,
                  spec: SceneSpec = DETECTION_SPEC) -> Scene:
    """Draw one scene from items ``images`` (N, 28, 28) with ``labels``."""
    shape = (spec.height, spec.width)
    image = textured_background(rng, *shape)
    for _ in range(MAX_ATTEMPTS):
        placements = _draw_placements(rng, images, labels, spec)
        foregrounds = [p.foreground(spec) for p in placements]
        owner = _owner_map(foregrounds, shape)
        kept = [k for k in range(len(placements))
                if np.count_nonzero(owner == k) >= spec.min_visible_area]
        if kept:
            break
    else:
        raise ValueError(f'no item reached {spec.min_visible_area} visible '
                         f'pixels in {MAX_ATTEMPTS} attempts')
    placements = [placements[k] for k in kept]
    foregrounds = [foregrounds[k] for k in kept]
    owner = _owner_map(foregrounds, shape)

    instances = []
    for k, (p, fg) in enumerate(zip(placements, foregrounds)):
        shade = 0.25 + 0.75 * p.intensity.astype(np.float32) / 255
        painted = np.clip(np.rint(shade[..., None] * p.tint), 0, 255)
        h, w = p.intensity.shape
        window = image[p.y:p.y + h, p.x:p.x + w]
        local_fg = fg[p.y:p.y + h, p.x:p.x + w]
        window[local_fg] = painted[local_fg].astype(np.uint8)
        instances.append(Instance(p.label, owner == k, p.source_index))
    return Scene(image, instances)


def generate_scenes(images: np.ndarray, labels: np.ndarray, count: int,
                    rng: np.random.Generator,
                    spec: SceneSpec = DETECTION_SPEC) -> Iterator[Scene]:
    """Yield ``count`` scenes drawn with ``rng`` from the given items."""
    for _ in range(count):
        yield compose_scene(rng, images, labels, spec)
