"""Write composite scenes in the Cityscapes layout (as mmseg reads it).

``<root>/leftImg8bit/<split>/<city>/<city>_<seq:06d>_000019_leftImg8bit.png``
(RGB PNG) and ``<root>/gtFine/<split>/<city>/<same stem>_gtFine_labelTrainIds
.png`` (single-channel uint8): 0 = background, 1..10 = Fashion-MNIST class
index + 1. Every pixel is labelled, so the ignore index 255 never occurs.
Frame 000019 is the annotated frame of each real Cityscapes sequence; scenes
are spread evenly over the split's cities, ``seq`` counting within a city.
"""
import os
import os.path as osp

import cv2

from .fashion_mnist import FASHION_MNIST_CLASSES

SEG_CLASSES = ('background', ) + FASHION_MNIST_CLASSES
CITIES = {'train': ('aachen', 'bremen'), 'val': ('frankfurt', 'lindau'),
          'holdout': ('erfurt', 'jena')}
FRAME = 19


def cityscapes_stem(city, seq):
    return f'{city}_{seq:06d}_{FRAME:06d}'


def write_cityscapes_split(root, split, scenes, num_scenes, cities=None):
    """Write ``num_scenes`` scenes of ``split``; returns (images, instances).

    ``num_scenes`` (the length of ``scenes``) spreads them over the cities.
    """
    cities = cities or CITIES[split]
    counts = dict.fromkeys(cities, 0)
    num_images = num_instances = 0
    for index, scene in enumerate(scenes):
        city = cities[index * len(cities) // num_scenes]
        stem = cityscapes_stem(city, counts[city])
        counts[city] += 1
        image_dir = osp.join(root, 'leftImg8bit', split, city)
        label_dir = osp.join(root, 'gtFine', split, city)
        os.makedirs(image_dir, exist_ok=True)
        os.makedirs(label_dir, exist_ok=True)
        cv2.imwrite(osp.join(image_dir, f'{stem}_leftImg8bit.png'),
                    cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        cv2.imwrite(osp.join(label_dir, f'{stem}_gtFine_labelTrainIds.png'),
                    scene.label_map())
        num_images += 1
        num_instances += len(scene.instances)
    return num_images, num_instances
