"""The UCI optical handwritten digits shipped inside scikit-learn, as an
mmpretrain dataset: the tiny track's second classification dataset."""
from typing import List

import numpy as np
from mmpretrain.datasets import BaseDataset

from kdbench.registry import DATASETS


@DATASETS.register_module()
class OpticalDigits(BaseDataset):
    """1797 handwritten digits (8x8, 17 grey levels, 10 classes; the UCI
    "optdigits" set that ``sklearn.datasets.load_digits`` reads from the
    package itself, so nothing is downloaded).

    The split is fixed: the images are shuffled once with ``split_seed``
    and the last ``num_test`` form the test split (``test_mode=True``), the
    rest the training split; the two never overlap. Pixels are scaled from
    0..16 to 0..255 uint8 (H, W) images, so the usual transforms
    (``Resize``, ``kdbench.GrayToRGB``) apply.
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self, num_test: int = 500, split_seed: int = 0,
                 **kwargs):
        self.num_test = int(num_test)
        self.split_seed = int(split_seed)
        kwargs.setdefault('data_root', '')
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        try:
            from sklearn.datasets import load_digits
        except ImportError as err:
            raise ImportError(
                'kdbench.OpticalDigits reads the digits that scikit-learn '
                'ships: `pip install -r requirements/stack.txt` (or `make '
                'setup`) installs it.') from err
        digits = load_digits()
        if not 0 < self.num_test < len(digits.target):
            raise ValueError(
                f'OpticalDigits: num_test must be in 1..'
                f'{len(digits.target) - 1}, got {self.num_test}.')
        order = np.random.RandomState(self.split_seed).permutation(
            len(digits.target))
        chosen = order[-self.num_test:] if self.test_mode \
            else order[:-self.num_test]
        images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
        return [dict(img=images[i], gt_label=int(digits.target[i]))
                for i in chosen]
