"""Fast rendering behind the latent sliders.

One slider move = one batched forward pass of the ten digits at the same z (the selected digit is
one of them), in inference mode, turned into uint8 pixels with nearest-neighbour upscaling so
MNIST's pixels stay crisp. benchmarks/bench_cgan.py measures it against a plain per-image loop.
"""
from __future__ import annotations

import numpy as np
import torch

from .mnist import NUM_CLASSES, SIDE
from .models import Generator


def to_uint8(images: np.ndarray | torch.Tensor) -> np.ndarray:
    """[0, 1] floats -> uint8, same shape."""
    arr = images.numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscale of a 2-D image (crisp pixels instead of the browser's blur)."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def tile(images: np.ndarray, rows: int, cols: int, gap: int = 2, fill: int = 40) -> np.ndarray:
    """(rows*cols, h, w) -> one mosaic with thin grey gaps between tiles."""
    n, h, w = images.shape
    out = np.full((rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap), fill, dtype=images.dtype)
    for i in range(min(n, rows * cols)):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[i]
    return out


def png_bytes(image: np.ndarray) -> bytes:
    """uint8 image -> PNG with zlib level 1: about 3x faster to encode than the default level 6 for these
    mostly-black digit mosaics, at ~25 % more bytes. st.image sends bytes as they are (no re-encoding)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def grid_image(grid: np.ndarray, scale: int = 2) -> np.ndarray:
    """A sample grid (R, C, 28, 28) in [0, 1] as one uint8 mosaic, each digit upscaled `scale` times."""
    rows, cols = grid.shape[:2]
    return upscale(tile(to_uint8(np.asarray(grid).reshape(rows * cols, SIDE, SIDE)), rows, cols), scale)


SNAPSHOT_DIGIT_PX = 56  # "from noise to digits" on a projector: at least 56 screen pixels per digit


def snapshot_image(grid: np.ndarray, rows: int | None = None, digit_px: int = SNAPSHOT_DIGIT_PX) -> np.ndarray:
    """A snapshot grid (R, 10, 28, 28) in [0, 1] as one uint8 mosaic where every digit is `digit_px`
    pixels square (a whole multiple of 28, nearest-neighbour, so pixels stay crisp). Show it at its own
    size (st.image width = image width), never shrunk to a column."""
    factor = max(1, -(-int(digit_px) // SIDE))  # ceil: never below the asked size
    grid = np.asarray(grid)[: rows or None]
    r, c = grid.shape[:2]
    return tile(upscale_many(to_uint8(grid.reshape(r * c, SIDE, SIDE)), factor), r, c, gap=2 * factor)


def upscale_many(images: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscale of a stack (N, h, w)."""
    return np.repeat(np.repeat(images, factor, axis=1), factor, axis=2)


@torch.inference_mode()
def latent_influence(generator: Generator, n: int = 8, delta: float = 0.5, seed: int = 0) -> np.ndarray:
    """How much each latent dimension moves the picture: mean |ΔG| per pixel (in [0, 1] units) per
    unit move of z_i, averaged over n prior draws × all ten digits (a finite difference of ±delta)."""
    gen = torch.Generator().manual_seed(seed)
    d = generator.latent_dim
    z = torch.randn(n, d, generator=gen).repeat_interleave(NUM_CLASSES, 0)
    labels = torch.arange(NUM_CLASSES).repeat(n)
    steps = torch.eye(d) * delta  # row i moves z_i only; all dims in one batched pass
    plus = generator((z[None] + steps[:, None]).reshape(-1, d), labels.repeat(d))
    minus = generator((z[None] - steps[:, None]).reshape(-1, d), labels.repeat(d))
    diff = (plus - minus).abs().view(d, -1).mean(1)
    return (diff / 2 / (2 * delta)).numpy().astype(np.float64)  # /2: tanh range [-1, 1] -> pixels [0, 1]


class LatentExplorer:
    """Renders the slider view of one generator: the chosen digit large, the same z for all ten
    digits, and interpolation strips."""

    def __init__(self, generator: Generator, scale: int = 10, row_scale: int = 3):
        self.generator = generator.eval()
        self.latent_dim = generator.latent_dim
        self.scale = scale
        self.row_scale = row_scale
        self._labels = torch.arange(NUM_CLASSES)

    @torch.inference_mode()
    def ten_digits(self, z: np.ndarray) -> np.ndarray:
        """(10, 28, 28) uint8: G(z, 0..9) for one z."""
        zt = torch.as_tensor(np.asarray(z, dtype=np.float32)).view(1, -1).expand(NUM_CLASSES, -1)
        x = self.generator(zt, self._labels)
        return to_uint8(((x + 1) * 0.5).view(NUM_CLASSES, SIDE, SIDE))

    def render(self, z: np.ndarray, digit: int) -> tuple[np.ndarray, np.ndarray]:
        """(big image of the chosen digit, all ten digits as a 2 x 5 mosaic) as uint8, from one forward pass."""
        digits = self.ten_digits(z)
        big = upscale(digits[int(digit)], self.scale)
        row = upscale(tile(digits, 2, NUM_CLASSES // 2), self.row_scale)
        return big, row

    @torch.inference_mode()
    def interpolate(self, z0: np.ndarray, z1: np.ndarray, digit0: int, digit1: int, steps: int = 9) -> np.ndarray:
        """A strip from (z0, digit0) to (z1, digit1): z moves on a straight line, the label's one-hot
        blends linearly (so with z0 == z1 the same style morphs from one digit into another)."""
        t = torch.linspace(0, 1, steps).unsqueeze(1)
        z0t = torch.as_tensor(np.asarray(z0, np.float32)).view(1, -1)
        z1t = torch.as_tensor(np.asarray(z1, np.float32)).view(1, -1)
        eye = torch.eye(NUM_CLASSES)
        labels = (1 - t) * eye[int(digit0)] + t * eye[int(digit1)]
        x = self.generator((1 - t) * z0t + t * z1t, labels)
        return upscale(tile(to_uint8(((x + 1) * 0.5).view(steps, SIDE, SIDE)), 1, steps), self.row_scale)
