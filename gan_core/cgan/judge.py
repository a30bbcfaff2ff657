"""The judge: a small CNN trained on real digits only, never on GAN output. It scores generated
digits (conditional accuracy = share the judge reads as the requested digit) and its hidden layer
is the feature space for per-class diversity and Fréchet distance.

The shipped judge (assets/judge_mnist.safetensors + .json) comes from
`python -m gan_core.cgan.judge --steps 1500 --seed 0`, today the same as `python -m gan_core cgan-judge
--steps 1500 --seed 0` (about 20 s on one CPU thread; see docs/cgan.md).
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .mnist import NUM_CLASSES, SIDE, load_split

FEATURE_DIM = 64


class Judge(nn.Module):
    def __init__(self, feature_dim: int = FEATURE_DIM):
        super().__init__()
        self.feature_dim = feature_dim
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
        self.hidden = nn.Linear(32 * 7 * 7, feature_dim)
        self.classify = nn.Linear(feature_dim, NUM_CLASSES)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """images: (N, 28, 28) or (N, 1, 28, 28) in [0, 1] -> (N, feature_dim)."""
        x = images.view(-1, 1, SIDE, SIDE)
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return F.relu(self.hidden(h.flatten(1)))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(images))


def random_shift(images: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Translate each image by up to `max_shift` pixels (zero fill): cheap augmentation so 4,500
    digits are enough for a judge that also reads slightly off-centre generated digits."""
    n = images.shape[0]
    padded = F.pad(images, (max_shift,) * 4)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(SIDE)[None, :])  # (n, 28)
    cols = (dx[:, None] + torch.arange(SIDE)[None, :])
    idx_n = torch.arange(n)[:, None, None]
    return padded[idx_n, 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)


@torch.inference_mode()
def predict(judge: Judge, images: np.ndarray | torch.Tensor, batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """(predicted labels, features) for images in [0, 1]."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32)).view(-1, 1, SIDE, SIDE)
    preds, feats = [], []
    for start in range(0, len(x), batch):
        f = judge.features(x[start:start + batch])
        preds.append(judge.classify(f).argmax(1))
        feats.append(f)
    return torch.cat(preds).numpy(), torch.cat(feats).numpy().astype(np.float64)


def accuracy(judge: Judge, images: np.ndarray, labels: np.ndarray) -> float:
    pred, _ = predict(judge, images)
    return float((pred == np.asarray(labels)).mean())


def train_judge(steps: int = 1500, seed: int = 0, batch_size: int = 64, lr: float = 2e-3,
                mnist_dir: str | None = None, progress=None) -> tuple[Judge, dict]:
    """Train on the training split with shift augmentation; return (judge, info with held-out accuracy)."""
    train, held = load_split(mnist_dir)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    judge = Judge()
    opt = torch.optim.Adam(judge.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    x = torch.from_numpy(train.images).unsqueeze(1)
    y = torch.from_numpy(train.labels)
    started = time.perf_counter()
    for step in range(steps):
        idx = torch.randint(0, len(x), (batch_size,), generator=gen)
        loss = F.cross_entropy(judge(random_shift(x[idx], gen)), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if progress is not None:
            progress(step + 1, steps)
    judge.eval()
    info = {
        "held_out_accuracy": accuracy(judge, held.images, held.labels),
        "train_accuracy": accuracy(judge, train.images, train.labels),
        "held_out_digits": len(held),
        "train_digits": len(train),
        "steps": steps,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "feature_dim": judge.feature_dim,
        "train_seconds": round(time.perf_counter() - started, 1),
        "data": train.source,
    }
    return judge, info


if __name__ == "__main__":  # the command the shipped judge was made with; the CLI itself is `cgan-judge`
    from gan_core.__main__ import main

    sys.argv[1:1] = ["cgan-judge"]
    sys.exit(main())
