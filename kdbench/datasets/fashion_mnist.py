"""Fashion-MNIST source files: locating them, reading idx files, exporting.

The source is the four gzipped idx files of Fashion-MNIST, as shipped by the
Debian package ``dataset-fashion-mnist`` (in
``/usr/share/datasets/fashion-mnist``) or as downloaded by mmpretrain's
``FashionMNIST(download=True)``.
Pure numpy; no torch, no mm* import.
"""
import gzip
import os
import os.path as osp
import shutil

import numpy as np

from kdbench.utils.hashing import file_sha256

# Same names and order as mmpretrain's FASHIONMNIST_CATEGORITES (label i).
FASHION_MNIST_CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress',
                         'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
                         'Ankle boot')

SOURCE_FILES = {
    'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
    'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'),
}
ALL_SOURCE_FILES = SOURCE_FILES['train'] + SOURCE_FILES['test']
DEFAULT_SOURCE_DIRS = ('/usr/share/datasets/fashion-mnist', )
SOURCE_ENV_VAR = 'KDBENCH_FASHION_MNIST'

_IDX_DTYPES = {0x08: np.uint8}


class FashionMNISTNotFoundError(FileNotFoundError):
    """The Fashion-MNIST idx files are not where we looked."""

    def __init__(self, searched):
        searched = [str(s) for s in searched]
        super().__init__(
            'Fashion-MNIST source files not found (looked in: '
            f'{", ".join(searched) or "nowhere"}; need '
            f'{", ".join(ALL_SOURCE_FILES)}). Fix it with one of:\n'
            '  * on Debian/Ubuntu: apt-get install dataset-fashion-mnist\n'
            '  * pass --source DIR, a directory holding the four idx .gz '
            f'files (or set {SOURCE_ENV_VAR}=DIR)\n'
            '  * on a machine with internet, mmpretrain can download them: '
            "mmpretrain.datasets.FashionMNIST(data_root='DIR', "
            'download=True), then pass --source DIR')
        self.searched = searched


class DataFileError(ValueError):
    """A data file is truncated or not what its name says."""


def check_idx_file(path):
    """Raise ``DataFileError`` unless ``path`` (a decompressed idx file) is
    exactly as long as its header says (a truncated copy otherwise fails
    deep inside the dataset with a reshape error)."""
    size = osp.getsize(path)
    with open(path, 'rb') as f:
        head = f.read(4)
        if len(head) < 4 or head[:2] != b'\x00\x00' or \
                head[2] not in _IDX_DTYPES:
            raise DataFileError(f'{path} is not an idx file; re-create the '
                                f'data with `make data`.')
        dims = f.read(4 * head[3])
    if len(dims) < 4 * head[3]:
        raise DataFileError(f'{path} is truncated (its header is cut); '
                            f're-create the data with `make data`.')
    shape = [int.from_bytes(dims[4 * i:4 * i + 4], 'big')
             for i in range(head[3])]
    expected = 4 + 4 * head[3] + int(np.prod(shape))
    if size != expected:
        raise DataFileError(
            f'{path} holds {size} bytes where its header ({shape}) needs '
            f'{expected}: the file is truncated or corrupt; re-create the '
            f'data with `make data`.')


def has_source_files(directory):
    """Whether ``directory`` holds the four gzipped idx files."""
    return all(osp.isfile(osp.join(directory, f)) for f in ALL_SOURCE_FILES)


def locate_source(source=None):
    """Return the directory holding the Fashion-MNIST idx .gz files.

    Looks at ``source`` if given, else ``$KDBENCH_FASHION_MNIST``, else the
    Debian package's directory. Raises :class:`FashionMNISTNotFoundError`.
    """
    if source is not None:
        candidates = [source]
    else:
        candidates = [os.environ.get(SOURCE_ENV_VAR)] + list(
            DEFAULT_SOURCE_DIRS)
        candidates = [c for c in candidates if c]
    for directory in candidates:
        if has_source_files(directory):
            return directory
    raise FashionMNISTNotFoundError(candidates)


def read_idx(path):
    """Read an idx file (gzipped or not) into a numpy array."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    zeros, dtype_code, ndim = data[0:2], data[2], data[3]
    if zeros != b'\x00\x00' or dtype_code not in _IDX_DTYPES:
        raise ValueError(f'{path} is not an unsigned-byte idx file')
    shape = tuple(
        int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    array = np.frombuffer(data, _IDX_DTYPES[dtype_code], offset=4 + 4 * ndim)
    return array.reshape(shape)


def load_split(source_dir, split):
    """Images (N, 28, 28) uint8 and labels (N,) uint8 of 'train' or 'test'."""
    images_file, labels_file = SOURCE_FILES[split]
    images = read_idx(osp.join(source_dir, images_file))
    labels = read_idx(osp.join(source_dir, labels_file))
    if len(images) != len(labels):
        raise ValueError(f'{source_dir}: {split} images and labels differ '
                         f'in length ({len(images)} vs {len(labels)})')
    return images, labels


def source_digests(source_dir):
    """sha256 of each source file, keyed by file name."""
    return {f: file_sha256(osp.join(source_dir, f)) for f in ALL_SOURCE_FILES}


def export_classification(source_dir, out_dir):
    """Write the files mmpretrain's ``FashionMNIST(download=False)`` reads.

    mmpretrain checks for and reads the *decompressed* idx files
    (``train-images-idx3-ubyte`` ...) in ``data_root``; the .gz files are
    not needed, so only the decompressed ones are written (about 55 MB).
    Returns the written file names.
    """
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name in ALL_SOURCE_FILES:
        target = name[:-len('.gz')]
        with gzip.open(osp.join(source_dir, name), 'rb') as src, \
                open(osp.join(out_dir, target), 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        written.append(target)
    return written
