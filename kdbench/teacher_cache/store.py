"""The teacher-output cache on disk: memory-mapped arrays, one row per
(epoch, sample), and a header that keys them.

Layout of a cache directory::

    header.json     key (teacher weights sha256, training dataset config
                    sha256, view seed), epochs, samples, classes, top-k,
                    and ``complete`` once every row is written
    values.npy      float16 (epochs, samples, k): the k largest logits
    indices.npy     int32   (epochs, samples, k): their classes
    residual.npy    float16 (epochs, samples): the teacher's softmax mass
                    (T = 1) outside the top k
    view_crc.npy    uint32  (epochs, samples): checksum of the view the
                    teacher saw (``replay.view_checksum``)
    written.npy     bool    (epochs, samples): rows written so far

A DDP run's ranks read their own samples' rows; nothing is loaded whole.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch

VERSION = 1
ARRAYS = dict(values=np.float16, indices=np.int32, residual=np.float16,
              view_crc=np.uint32, written=np.bool_)
#: header fields that must match for a cache to serve a run
KEY_FIELDS = ('teacher_sha256', 'dataset_sha256', 'seed')


class TeacherCacheError(ValueError):
    """A cache cannot serve this run (missing, incomplete, stale)."""


class TeacherOutputCache:
    """A cache directory, opened read-only (``open``) or for writing
    (``create``)."""

    def __init__(self, path: str, header: dict, arrays: Dict[str, np.ndarray]):
        self.path = path
        self.header = header
        self.arrays = arrays

    # ------------------------------------------------------------ creating
    @classmethod
    def create(cls, path: str, *, teacher_sha256: str, dataset_sha256: str,
               seed: int, epochs: int, num_samples: int, num_classes: int,
               topk: int, build_command: str) -> 'TeacherOutputCache':
        if not 1 <= topk <= num_classes:
            raise ValueError(f'top-k must be in 1..{num_classes} (the '
                             f'classes), got {topk}.')
        os.makedirs(path, exist_ok=True)
        header = dict(version=VERSION, teacher_sha256=teacher_sha256,
                      dataset_sha256=dataset_sha256, seed=int(seed),
                      epochs=int(epochs), num_samples=int(num_samples),
                      num_classes=int(num_classes), topk=int(topk),
                      build_command=build_command, complete=False)
        shapes = dict(values=(epochs, num_samples, topk),
                      indices=(epochs, num_samples, topk),
                      residual=(epochs, num_samples),
                      view_crc=(epochs, num_samples),
                      written=(epochs, num_samples))
        arrays = {name: np.lib.format.open_memmap(
            osp.join(path, f'{name}.npy'), mode='w+', dtype=dtype,
            shape=shapes[name]) for name, dtype in ARRAYS.items()}
        cache = cls(path, header, arrays)
        cache._write_header()
        return cache

    def write(self, epoch: int, indices: torch.Tensor, logits: torch.Tensor,
              view_crc: torch.Tensor) -> None:
        """Store the top-k of ``logits`` (N, C) for samples ``indices`` of
        ``epoch``, with the residual softmax mass and the views' CRCs."""
        k = self.header['topk']
        logits = logits.detach().float()
        top, classes = logits.topk(k, dim=1)
        probs = torch.softmax(logits, dim=1)
        residual = (1.0 - probs.gather(1, classes).sum(1)).clamp(min=0.0)
        rows = indices.cpu().numpy()
        self.arrays['values'][epoch, rows] = top.cpu().numpy()
        self.arrays['indices'][epoch, rows] = classes.cpu().numpy()
        self.arrays['residual'][epoch, rows] = residual.cpu().numpy()
        self.arrays['view_crc'][epoch, rows] = view_crc.cpu().numpy()
        self.arrays['written'][epoch, rows] = True

    def finish(self) -> None:
        """Mark the cache complete when every row is written."""
        for array in self.arrays.values():
            array.flush()
        missing = int((~self.arrays['written']).sum())
        if missing:
            raise TeacherCacheError(f'{missing} (epoch, sample) rows of the '
                                    f'cache were not written.')
        self.header['complete'] = True
        self._write_header()

    def _write_header(self) -> None:
        with open(osp.join(self.path, 'header.json'), 'w') as f:
            json.dump(self.header, f, indent=2)

    # ------------------------------------------------------------- reading
    @classmethod
    def open(cls, path: str) -> 'TeacherOutputCache':
        head = osp.join(path, 'header.json')
        if not osp.isfile(head):
            raise TeacherCacheError(f'No teacher-output cache at {path!r} '
                                    f'(header.json missing).')
        with open(head) as f:
            header = json.load(f)
        if not header.get('complete'):
            raise TeacherCacheError(
                f'The teacher-output cache at {path!r} is incomplete (its '
                f'build stopped); rebuild it: {header.get("build_command")}')
        arrays = {name: np.load(osp.join(path, f'{name}.npy'), mmap_mode='r')
                  for name in ARRAYS}
        return cls(path, header, arrays)

    def problems(self, **expected) -> List[str]:
        """How the cache differs from what the run expects (``expected``:
        header fields, e.g. teacher_sha256=..., epochs=...: the cache must
        cover at least the run's epochs)."""
        found = []
        for key, value in expected.items():
            have = self.header.get(key)
            if key == 'epochs':
                if have is None or have < value:
                    found.append(f'it covers {have} epochs, the run trains '
                                 f'{value}')
            elif have != value:
                found.append(f'{key} is {have!r}, the run has {value!r}')
        return found

    def logits(self, epoch: torch.Tensor, index: torch.Tensor,
               view_crc: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, C) float32 teacher logits of the given (epoch, sample) rows,
        rebuilt from the top k (``reconstruct_logits``); with
        ``view_crc``, a row whose view differs is refused."""
        e = epoch.cpu().numpy()
        i = index.cpu().numpy()
        if (e >= self.header['epochs']).any() or \
                (i >= self.header['num_samples']).any():
            raise TeacherCacheError(
                f'The run asks for epoch {int(e.max())} / sample '
                f'{int(i.max())}, the cache holds '
                f'{self.header["epochs"]} epochs of '
                f'{self.header["num_samples"]} samples; rebuild it: '
                f'{self.header["build_command"]}')
        if view_crc is not None:
            stored = self.arrays['view_crc'][e, i]
            bad = stored != view_crc.cpu().numpy().astype(np.uint32)
            if bad.any():
                k = int(np.argmax(bad))
                raise TeacherCacheError(
                    f'Sample {int(i[k])} of epoch {int(e[k])} is not the view '
                    f'the teacher saw (checksum differs): the pipeline or a '
                    f'transform changed since the cache was built; rebuild '
                    f'it: {self.header["build_command"]}')
        values = torch.from_numpy(self.arrays['values'][e, i].astype(
            np.float32))
        classes = torch.from_numpy(self.arrays['indices'][e, i].astype(
            np.int64))
        residual = torch.from_numpy(self.arrays['residual'][e, i].astype(
            np.float32))
        return reconstruct_logits(values, classes, residual,
                                  self.header['num_classes'])


def reconstruct_logits(values: torch.Tensor, classes: torch.Tensor,
                       residual: torch.Tensor,
                       num_classes: int) -> torch.Tensor:
    """Full (N, C) logits from the top k: the stored classes get their
    logits; the other C - k share the residual mass r equally, i.e. each
    gets ``L + log(r / (C - k))`` with ``L = logsumexp(top) - log(1 - r)``
    the full logsumexp. At T = 1 the top-k probabilities and the total
    mass outside them are the teacher's; only how that mass spreads over
    the other classes is lost (nothing when k = C)."""
    n, k = values.shape
    out = values.new_empty(n, num_classes)
    if k == num_classes:
        out.scatter_(1, classes, values)
        return out
    r = residual.clamp(min=1e-12, max=1 - 1e-6)
    lse = torch.logsumexp(values, dim=1) - torch.log1p(-r)
    rest = lse + torch.log(r / (num_classes - k))
    out[:] = rest[:, None]
    out.scatter_(1, classes, values)
    return out


__all__ = ['TeacherOutputCache', 'TeacherCacheError', 'reconstruct_logits',
           'KEY_FIELDS']
