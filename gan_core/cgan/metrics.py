"""How good is a conditional generator, measured by the judge (a classifier trained on real digits):

- conditional accuracy: share of G(z, y) the judge reads as y;
- per-class diversity: mean pairwise distance between judge features within one class — a class
  whose samples all look alike (mode collapse within the class) scores far below real digits;
- per-class Fréchet distance between Gaussians fitted to judge features of generated and real digits.

Every number comes with a real-vs-real baseline so it means something: two disjoint halves of the
real digits of a class, compared the same way.
"""
from __future__ import annotations

import hashlib

import numpy as np
import torch

from .judge import Judge, predict
from .mnist import NUM_CLASSES, Digits, load_digits
from .models import Generator

BASELINE_SEED = 7


@torch.inference_mode()
def generate(generator: Generator, z: torch.Tensor, labels: torch.Tensor, batch: int = 2000) -> np.ndarray:
    """float32 (N, 28, 28) in [0, 1], 0 = background."""
    out = []
    for start in range(0, len(z), batch):
        x = generator(z[start:start + batch], labels[start:start + batch])
        out.append(((x + 1) / 2).clamp_(0, 1).view(-1, 28, 28))
    return torch.cat(out).cpu().numpy().astype(np.float32)


def sample_digits(generator: Generator, digit: int, n: int, seed: int = 0) -> np.ndarray:
    """n samples of one digit; the same seed gives the same images (z ~ N(0, I) from torch.Generator(seed))."""
    z = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(int(seed)))
    return generate(generator, z, torch.full((n,), int(digit), dtype=torch.long))


def conditional_accuracy(generator: Generator, judge: Judge, n_per_class: int = 20, seed: int = 0) -> float:
    """Share of G(z, y) the judge reads as y, over n_per_class fixed-seed samples of every digit: the cheap
    live readout (20 per digit take a few ms), without the diversity and Fréchet figures of `evaluate`."""
    gen = torch.Generator().manual_seed(int(seed))
    z = torch.randn(n_per_class * NUM_CLASSES, generator.latent_dim, generator=gen)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(n_per_class)
    device = next(generator.parameters()).device
    images = generate(generator, z.to(device), labels.to(device))
    pred, _ = predict(judge, images)
    return float((pred == labels.numpy()).mean())


def mean_pairwise_distance(features: np.ndarray) -> float:
    """Mean Euclidean distance over all distinct pairs (unbiased w.r.t. the number of samples)."""
    f = np.asarray(features, dtype=np.float64)
    n = len(f)
    if n < 2:
        return float("nan")
    sq = (f * f).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * f @ f.T, 0.0)
    return float(np.sqrt(d2)[np.triu_indices(n, 1)].mean())


def _sqrtm_psd(m: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((m + m.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (rows = samples):
    |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_a = _sqrtm_psd(s_a)
    cross = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    trace_sqrt = np.sqrt(np.clip(cross, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * trace_sqrt)


def half_indices(count: int, digit: int) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint, fixed halves of the `count` real digits of one class."""
    order = np.random.default_rng(BASELINE_SEED + digit).permutation(count)
    half = count // 2
    return order[:half], order[half:2 * half]


_BASELINES: dict[tuple[str, str], dict] = {}


def _fingerprint(judge: Judge) -> str:
    h = hashlib.sha1()
    for name, tensor in judge.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().numpy().tobytes())
    return h.hexdigest()


def real_baseline(judge: Judge, digits: Digits | None = None) -> dict:
    """Per-class judge features of the two real halves, and the real-vs-real figures. Memoised per
    judge weights and data source (a few seconds of work; read-only afterwards)."""
    digits = digits or load_digits()
    key = (_fingerprint(judge), digits.source)
    if key not in _BASELINES:
        _BASELINES.clear()  # one judge at a time is all anyone uses
        _BASELINES[key] = _real_baseline(judge, digits)
    return _BASELINES[key]


def _real_baseline(judge: Judge, digits: Digits) -> dict:
    out = {"features_a": [], "diversity": [], "frechet": []}
    for d in range(NUM_CLASSES):
        _, feats = predict(judge, digits.of_class(d))
        a, b = half_indices(len(feats), d)
        out["features_a"].append(feats[a])
        out["diversity"].append(mean_pairwise_distance(feats))
        out["frechet"].append(frechet_distance(feats[b], feats[a]))
    out["half_size"] = len(out["features_a"][0])
    return out


def evaluate(generator: Generator, judge: Judge, n_per_class: int = 1000, seed: int = 0,
             baseline: dict | None = None) -> dict:
    """Conditional accuracy over n_per_class samples of every digit, per-class diversity and Fréchet
    distance (generated vs real half A, next to real half B vs real half A, equal sample sizes)."""
    baseline = baseline or real_baseline(judge)
    half = baseline["half_size"]
    gen = torch.Generator().manual_seed(int(seed))
    per_class = []
    correct = 0
    for d in range(NUM_CLASSES):
        z = torch.randn(n_per_class, generator.latent_dim, generator=gen)
        images = generate(generator, z, torch.full((n_per_class,), d, dtype=torch.long))
        pred, feats = predict(judge, images)
        hits = int((pred == d).sum())
        correct += hits
        fd_n = min(half, n_per_class)
        per_class.append({
            "digit": d,
            "accuracy": hits / n_per_class,
            "diversity": mean_pairwise_distance(feats[:1000]),
            "real_diversity": baseline["diversity"][d],
            "frechet": frechet_distance(feats[:fd_n], baseline["features_a"][d]) if fd_n >= 2 else float("nan"),
            "real_frechet": baseline["frechet"][d],
        })
    mean = lambda key: float(np.mean([c[key] for c in per_class]))  # noqa: E731
    return {
        "conditional_accuracy": correct / (n_per_class * NUM_CLASSES),
        "samples_per_class": n_per_class,
        "seed": int(seed),
        "diversity_ratio": mean("diversity") / mean("real_diversity"),
        "min_class_diversity_ratio": float(min(c["diversity"] / c["real_diversity"] for c in per_class)),
        "mean_frechet": mean("frechet"),
        "mean_real_frechet": mean("real_frechet"),
        "frechet_sample_size": min(half, n_per_class),
        "per_class": per_class,
    }


class JudgeReadout:
    """The live "judge reads X %" of a training run: `conditional_accuracy` of the generator, measured again
    only once `every_seconds` of training have passed, and the first (step, training seconds) at >= `goal`."""

    def __init__(self, judge: Judge, n_per_class: int = 20, every_seconds: float = 1.0, goal: float = 0.9):
        self.judge, self.n_per_class, self.every_seconds, self.goal = judge, n_per_class, every_seconds, goal
        self.accuracy: float | None = None
        self.steps = -1
        self.seconds = 0.0
        self.first: tuple[int, float] | None = None

    def update(self, generator: Generator, steps: int, seconds: float) -> float:
        due = self.accuracy is None or (steps != self.steps and seconds - self.seconds >= self.every_seconds)
        if due:
            self.accuracy = conditional_accuracy(generator, self.judge, self.n_per_class, seed=1)
            self.steps, self.seconds = steps, seconds
            if self.first is None and self.accuracy >= self.goal:
                self.first = (steps, seconds)
        return self.accuracy
