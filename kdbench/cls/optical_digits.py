"""The UCI optical handwritten digits shipped inside scikit-learn, as an
mmpretrain dataset: the tiny track's second classification dataset."""
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import BaseDataset

from kdbench.registry import DATASETS


@DATASETS.register_module()
class OpticalDigits(BaseDataset):
    """1797 handwritten digits (8x8, 17 grey levels, 10 classes; the UCI
    "optdigits" set that ``sklearn.datasets.load_digits`` reads from the
    package itself, so nothing is downloaded).

    The splits are fixed: the images are shuffled once with ``split_seed``;
    the last ``num_test`` form the ``'test'`` split, the ``num_val`` before
    them the ``'val'`` split (validation: the val loop and tuning), the
    rest the ``'train'`` split; no two overlap. ``split`` defaults to
    ``'test'`` with ``test_mode=True``, else ``'train'``. Pixels are scaled
    from 0..16 to 0..255 uint8 (H, W) images, so the usual transforms
    (``Resize``, ``kdbench.GrayToRGB``) apply.
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}
    SPLITS = ('train', 'val', 'test')

    def __init__(self, num_test: int = 500, num_val: int = 0,
                 split: Optional[str] = None, split_seed: int = 0,
                 **kwargs):
        self.num_test = int(num_test)
        self.num_val = int(num_val)
        self.split_seed = int(split_seed)
        if split is None:
            split = 'test' if kwargs.get('test_mode', False) else 'train'
        if split not in self.SPLITS:
            raise ValueError(f'OpticalDigits: split must be one of '
                             f'{self.SPLITS}, got {split!r}.')
        self.split = split
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
        total = len(digits.target)
        if not 0 < self.num_test < total:
            raise ValueError(
                f'OpticalDigits: num_test must be in 1..{total - 1}, got '
                f'{self.num_test}.')
        if not 0 <= self.num_val < total - self.num_test:
            raise ValueError(
                f'OpticalDigits: num_val must be in 0..'
                f'{total - self.num_test - 1} (the rest trains), got '
                f'{self.num_val}.')
        if self.split == 'val' and self.num_val == 0:
            raise ValueError("OpticalDigits: split='val' needs num_val > 0.")
        order = np.random.RandomState(self.split_seed).permutation(total)
        first_test = total - self.num_test
        first_val = first_test - self.num_val
        chosen = dict(train=order[:first_val],
                      val=order[first_val:first_test],
                      test=order[first_test:])[self.split]
        images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
        return [dict(img=images[i], gt_label=int(digits.target[i]))
                for i in chosen]
