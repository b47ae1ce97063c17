"""mmpretrain's FashionMNIST, offline, with an actionable missing-data error."""
import os.path as osp

from mmpretrain.datasets import FashionMNIST

from kdbench.registry import DATASETS


@DATASETS.register_module()
class MiniFashionMNIST(FashionMNIST):
    """``mmpretrain.datasets.FashionMNIST`` that never downloads.

    Reads the decompressed idx files that ``tools/prepare_data.py`` writes
    to ``data/fashion_mnist`` (the layout mmpretrain's class expects); the
    split comes from ``test_mode`` (train files unless ``test_mode=True``),
    as in mmpretrain. A missing directory is reported with how to make it.
    """

    def __init__(self, *args, download: bool = False, **kwargs):
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
        return super().load_data_list()
