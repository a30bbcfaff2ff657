"""Procedural drawings: what a student might draw (letters, outlines, scribbles), made from strokes.

Used by the benchmark (defaults judged on drawings they were not tuned on) and by tests. A stroke is a
polyline; a drawing places `n` points along all strokes by arc length, with a little hand jitter.
"""
from __future__ import annotations

import numpy as np

from gan_core.playground.data import PointSet, fit_to_view

# Letters as strokes on a 0..1 box (y up).
LETTERS = {
    "A": [[(0, 0), (0.5, 1), (1, 0)], [(0.25, 0.5), (0.75, 0.5)]],
    "E": [[(1, 1), (0, 1), (0, 0), (1, 0)], [(0, 0.5), (0.7, 0.5)]],
    "F": [[(1, 1), (0, 1), (0, 0)], [(0, 0.55), (0.7, 0.55)]],
    "H": [[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(0, 0.5), (1, 0.5)]],
    "K": [[(0, 0), (0, 1)], [(1, 1), (0, 0.45), (1, 0)]],
    "L": [[(0, 1), (0, 0), (0.8, 0)]],
    "M": [[(0, 0), (0, 1), (0.5, 0.4), (1, 1), (1, 0)]],
    "N": [[(0, 0), (0, 1), (1, 0), (1, 1)]],
    "T": [[(0, 1), (1, 1)], [(0.5, 1), (0.5, 0)]],
    "V": [[(0, 1), (0.5, 0), (1, 1)]],
    "W": [[(0, 1), (0.25, 0), (0.5, 0.6), (0.75, 0), (1, 1)]],
    "X": [[(0, 0), (1, 1)], [(0, 1), (1, 0)]],
    "Y": [[(0, 1), (0.5, 0.5), (1, 1)], [(0.5, 0.5), (0.5, 0)]],
    "Z": [[(0, 1), (1, 1), (0, 0), (1, 0)]],
}


def _arc(cx: float, cy: float, r: float, a0: float, a1: float, k: int = 40) -> list[tuple[float, float]]:
    t = np.linspace(a0, a1, k)
    return list(zip(cx + r * np.cos(t), cy + r * np.sin(t)))


CURVED = {
    "O": [_arc(0.5, 0.5, 0.5, 0, 2 * np.pi)],
    "C": [_arc(0.5, 0.5, 0.5, 0.25 * np.pi, 1.75 * np.pi)],
    "S": [_arc(0.5, 0.75, 0.25, 0.0, 1.5 * np.pi), _arc(0.5, 0.25, 0.25, 0.5 * np.pi, -1.0 * np.pi)],
    "smiley": [_arc(0.5, 0.5, 0.5, 0, 2 * np.pi), _arc(0.5, 0.5, 0.3, 1.15 * np.pi, 1.85 * np.pi, 20),
               _arc(0.33, 0.65, 0.05, 0, 2 * np.pi, 12), _arc(0.67, 0.65, 0.05, 0, 2 * np.pi, 12)],
    "heart": [[(0.5 + 0.03 * 16 * np.sin(t) ** 3,
                0.55 + 0.03 * (13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)))
               for t in np.linspace(0, 2 * np.pi, 80)]],
}


def strokes_of(name: str) -> list[list[tuple[float, float]]]:
    if name in LETTERS:
        return LETTERS[name]
    if name in CURVED:
        return CURVED[name]
    raise KeyError(name)


def random_strokes(seed: int, kind: str = "scribble") -> list[list[tuple[float, float]]]:
    """A random scribble (one wandering polyline), a random polygon outline, or random blobs (dots)."""
    rng = np.random.default_rng([seed, 31337])
    if kind == "scribble":
        pts = [rng.random(2)]
        heading = rng.random() * 2 * np.pi
        for _ in range(rng.integers(4, 9)):
            heading += rng.normal(0, 1.2)
            pts.append(np.clip(pts[-1] + 0.35 * np.array([np.cos(heading), np.sin(heading)]), 0, 1))
        return [[tuple(p) for p in pts]]
    if kind == "polygon":
        k = int(rng.integers(3, 8))
        angles = np.sort(rng.random(k) * 2 * np.pi)
        radii = 0.3 + 0.2 * rng.random(k)
        pts = [(0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for a, r in zip(angles, radii)]
        return [pts + pts[:1]]
    if kind == "blobs":
        return [[tuple(c)] for c in rng.random((int(rng.integers(2, 6)), 2))]
    raise KeyError(kind)


def draw(strokes: list[list[tuple[float, float]]], n: int = 300, seed: int = 0, jitter: float = 0.006,
         name: str = "drawing") -> PointSet:
    """n points spread along the strokes by arc length (a one-point stroke is a dot: a small blob), fitted into
    the view, with hand jitter σ = `jitter` (view units)."""
    rng = np.random.default_rng([seed, 2718])
    segs, dots = [], []
    for s in strokes:
        s = np.asarray(s, dtype=np.float64)
        if len(s) == 1:
            dots.append(s[0])
        segs += [(s[i], s[i + 1]) for i in range(len(s) - 1)]
    lengths = np.array([np.linalg.norm(b - a) for a, b in segs]) if segs else np.zeros(0)
    n_dots = n // max(1, len(dots) + (1 if segs else 0)) * len(dots) if dots else 0
    pts = []
    if segs:
        m = n - n_dots
        which = rng.choice(len(segs), m, p=lengths / lengths.sum())
        t = rng.random(m)[:, None]
        a = np.array([segs[i][0] for i in which])
        b = np.array([segs[i][1] for i in which])
        pts.append(a + t * (b - a))
    if dots:
        which = rng.integers(0, len(dots), n_dots)
        pts.append(np.array(dots)[which] + 0.04 * rng.standard_normal((n_dots, 2)))
    raw = np.concatenate(pts)
    fitted = fit_to_view(raw)[0] + jitter * rng.standard_normal(raw.shape)
    return PointSet(name, fitted, note=f"{len(raw)} points")
