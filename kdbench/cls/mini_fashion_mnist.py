"""mmpretrain's FashionMNIST, offline, with an actionable missing-data error
and contiguous index ranges (the mini suites' validation split)."""
import os.path as osp
from typing import Optional, Sequence

from mmpretrain.datasets import FashionMNIST

from kdbench.datasets.fashion_mnist import check_idx_file
from kdbench.registry import DATASETS


@DATASETS.register_module()
class MiniFashionMNIST(FashionMNIST):
    """``mmpretrain.datasets.FashionMNIST`` that never downloads.

    Reads the decompressed idx files that ``tools/prepare_data.py`` writes
    to ``data/fashion_mnist`` (the layout mmpretrain's class expects); the
    split comes from ``test_mode`` (train files unless ``test_mode=True``),
    as in mmpretrain. A missing directory is reported with how to make it.

    Args:
        index_range: ``(start, stop)``: keep items ``start .. stop - 1`` of
            the split (mmengine's ``indices`` keeps only a prefix when
            given a number; with a range, a number ``indices`` keeps the
            first that many items of the range). The mini suites'
            validation split is a range of training images outside the
            training subset.
    """

    def __init__(self, *args, download: bool = False,
                 index_range: Optional[Sequence[int]] = None, **kwargs):
        if index_range is not None:
            start, stop = (int(v) for v in index_range)
            if not 0 <= start < stop:
                raise ValueError(f'MiniFashionMNIST: index_range must be '
                                 f'(start, stop) with 0 <= start < stop, '
                                 f'got {tuple(index_range)}.')
            first = kwargs.get('indices')
            if first is not None and not isinstance(first, int):
                raise ValueError('MiniFashionMNIST: with `index_range`, '
                                 '`indices` may only be a number (the first '
                                 'that many items of the range).')
            if first is not None:
                stop = min(stop, start + first)
            kwargs['indices'] = range(start, stop)
        super().__init__(*args, download=download, **kwargs)

    def load_data_list(self):
        if not self.download and not self._check_exists():
            root = self.data_prefix['root']
            raise FileNotFoundError(
                f'Fashion-MNIST not found in {osp.abspath(root)!r}. Run '
                f'`python tools/prepare_data.py --only cls` (or `make data`); '
                f'it needs the Debian package dataset-fashion-mnist '
                f'(`apt-get install dataset-fashion-mnist`), or --source DIR '
                f'with the four idx .gz files.')
        root = self.data_prefix['root']
        for name in (self.train_list if not self.test_mode
                     else self.test_list):
            check_idx_file(osp.join(root, name[0].rsplit('.', 1)[0]
                                    if name[0].endswith('.gz')
                                    else name[0]))
        return super().load_data_list()
