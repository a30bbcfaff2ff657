"""1-D target distributions the generator learns to produce.

Each target knows how to sample itself, its density, and its quantile function (inverse CDF).
The quantile function matters twice: it is the *ideal* generator map for a monotone G
(x = F⁻¹(u) with u ~ U(0,1)), and it gives the exact 1-D Wasserstein distance.

Spec strings (what the CLI and the page pass around):
    normal:MU,SIGMA      uniform:A,B      exp:RATE
    mixture:W1,MU1,S1;W2,MU2,S2[;...]     (weights are normalised to sum to 1)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from gan_core.settings_spec import short_repr

# Targets far outside this range make no sense for a classroom plot and only invite overflow.
MAX_ABS_LOCATION = 1e4
MAX_SCALE = 1e4
MIN_SCALE = 1e-4
MAX_MIXTURE_COMPONENTS = 6


def _ndtr(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (torch's special functions: no extra dependency)."""
    return torch.special.ndtr(_tensor(x)).numpy()


def _ndtri(u: np.ndarray) -> np.ndarray:
    """Standard normal quantile function."""
    return torch.special.ndtri(_tensor(u)).numpy()


def _tensor(values: np.ndarray) -> torch.Tensor:
    # a copy: torch warns on (and must not share) the read-only arrays the figures' caches hand out
    return torch.tensor(np.asarray(values, dtype=np.float64))


def noise_cdf(z: np.ndarray, noise: str) -> np.ndarray:
    """P(Z ≤ z) for G's noise: the uniform's is z itself (clipped to [0, 1]), the normal's is Φ(z)."""
    z = np.asarray(z, dtype=np.float64)
    return np.clip(z, 0.0, 1.0) if noise == "uniform" else _ndtr(z)


def noise_quantile(u: np.ndarray, noise: str) -> np.ndarray:
    """The inverse of `noise_cdf`: the z below which a share u of the noise lies."""
    u = np.asarray(u, dtype=np.float64)
    return u if noise == "uniform" else _ndtri(u)


def ideal_map(target, z: np.ndarray, noise: str) -> np.ndarray:
    """The monotone map that turns the noise into the target exactly: F⁻¹(noise CDF(z))."""
    return target.inverse_cdf(noise_cdf(np.asarray(z, dtype=np.float64), noise))


def _num(value: float) -> str:
    """Short human number: 3, 0.7, -1.25, 1e-05."""
    return f"{value:g}"


class Target:
    """Base class; subclasses fill in the maths."""

    spec: str
    label: str
    mean: float
    std: float

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def pdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def inverse_cdf(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def plot_range(self) -> tuple[float, float]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)


@dataclass(frozen=True, eq=False, repr=False)
class Normal(Target):
    mu: float
    sigma: float

    @property
    def spec(self) -> str:
        return f"normal:{_num(self.mu)},{_num(self.sigma)}"

    @property
    def label(self) -> str:
        return f"N({_num(self.mu)}, {_num(self.sigma)}²)"

    @property
    def mean(self) -> float:
        return float(self.mu)

    @property
    def std(self) -> float:
        return float(self.sigma)

    def sample(self, n, rng):
        return rng.normal(self.mu, self.sigma, size=int(n))

    def pdf(self, x):
        t = (np.asarray(x, dtype=np.float64) - self.mu) / self.sigma
        return np.exp(-0.5 * t * t) / (self.sigma * math.sqrt(2 * math.pi))

    def cdf(self, x):
        return _ndtr((np.asarray(x, dtype=np.float64) - self.mu) / self.sigma)

    def inverse_cdf(self, u):
        return self.mu + self.sigma * _ndtri(u)

    def plot_range(self):
        return (self.mu - 4 * self.sigma, self.mu + 4 * self.sigma)


@dataclass(frozen=True, eq=False, repr=False)
class Uniform(Target):
    a: float
    b: float

    @property
    def spec(self) -> str:
        return f"uniform:{_num(self.a)},{_num(self.b)}"

    @property
    def label(self) -> str:
        return f"U({_num(self.a)}, {_num(self.b)})"

    @property
    def mean(self) -> float:
        return 0.5 * (self.a + self.b)

    @property
    def std(self) -> float:
        return (self.b - self.a) / math.sqrt(12.0)

    def sample(self, n, rng):
        return rng.uniform(self.a, self.b, size=int(n))

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.where((x >= self.a) & (x <= self.b), 1.0 / (self.b - self.a), 0.0)

    def cdf(self, x):
        return np.clip((np.asarray(x, dtype=np.float64) - self.a) / (self.b - self.a), 0.0, 1.0)

    def inverse_cdf(self, u):
        return self.a + (self.b - self.a) * np.asarray(u, dtype=np.float64)

    def plot_range(self):
        pad = 0.25 * (self.b - self.a)
        return (self.a - pad, self.b + pad)


@dataclass(frozen=True, eq=False, repr=False)
class Exponential(Target):
    """x = −ln(z)/rate with z ~ U(0,1): the lecture's hand-made mapping example."""

    rate: float

    @property
    def spec(self) -> str:
        return f"exp:{_num(self.rate)}"

    @property
    def label(self) -> str:
        return f"Exp({_num(self.rate)})"

    @property
    def mean(self) -> float:
        return 1.0 / self.rate

    @property
    def std(self) -> float:
        return 1.0 / self.rate

    def sample(self, n, rng):
        return rng.exponential(1.0 / self.rate, size=int(n))

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= 0, self.rate * np.exp(-self.rate * np.maximum(x, 0.0)), 0.0)

    def cdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= 0, -np.expm1(-self.rate * np.maximum(x, 0.0)), 0.0)

    def inverse_cdf(self, u):
        return -np.log1p(-np.asarray(u, dtype=np.float64)) / self.rate

    def plot_range(self):
        return (-0.5 / self.rate, 6.0 / self.rate)


@dataclass(frozen=True, eq=False, repr=False)
class Mixture(Target):
    """Weighted sum of Gaussians (weights normalised to 1)."""

    weights: tuple[float, ...]
    mus: tuple[float, ...]
    sigmas: tuple[float, ...]

    @property
    def spec(self) -> str:
        parts = [f"{_num(w)},{_num(m)},{_num(s)}" for w, m, s in zip(self.weights, self.mus, self.sigmas)]
        return "mixture:" + ";".join(parts)

    @property
    def label(self) -> str:
        parts = [f"{_num(round(w, 3))}·N({_num(m)}, {_num(s)}²)" for w, m, s in zip(self.weights, self.mus, self.sigmas)]
        return " + ".join(parts)

    @property
    def mean(self) -> float:
        return float(np.dot(self.weights, self.mus))

    @property
    def std(self) -> float:
        w, m, s = (np.asarray(v) for v in (self.weights, self.mus, self.sigmas))
        second = float(np.dot(w, s * s + m * m))
        return math.sqrt(max(second - self.mean**2, 0.0))

    def sample(self, n, rng):
        n = int(n)
        comp = rng.choice(len(self.weights), size=n, p=np.asarray(self.weights))
        return np.asarray(self.mus)[comp] + np.asarray(self.sigmas)[comp] * rng.standard_normal(n)

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)[..., None]
        w, m, s = (np.asarray(v) for v in (self.weights, self.mus, self.sigmas))
        t = (x - m) / s
        return (w * np.exp(-0.5 * t * t) / (s * math.sqrt(2 * math.pi))).sum(-1)

    def cdf(self, x):
        x = np.asarray(x, dtype=np.float64)[..., None]
        w, m, s = (np.asarray(v) for v in (self.weights, self.mus, self.sigmas))
        return (w * _ndtr((x - m) / s)).sum(-1)

    def inverse_cdf(self, u):
        # No closed form: bisection on the CDF (monotone), vectorised; 60 halvings reach float precision.
        u = np.asarray(u, dtype=np.float64)
        lo = np.full(u.shape, min(m - 12 * s for m, s in zip(self.mus, self.sigmas)))
        hi = np.full(u.shape, max(m + 12 * s for m, s in zip(self.mus, self.sigmas)))
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            below = self.cdf(mid) < u
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        out = 0.5 * (lo + hi)
        out = np.where(u <= 0, -np.inf, out)
        return np.where(u >= 1, np.inf, out)

    def plot_range(self):
        lo = min(m - 4 * s for m, s in zip(self.mus, self.sigmas))
        hi = max(m + 4 * s for m, s in zip(self.mus, self.sigmas))
        return (lo, hi)


KINDS = {
    "normal": "normal:MU,SIGMA (e.g. normal:3,0.7)",
    "uniform": "uniform:A,B (e.g. uniform:-1,2)",
    "mixture": "mixture:W1,MU1,S1;W2,MU2,S2 (e.g. mixture:0.5,-2,0.5;0.5,2,0.5)",
    "exp": "exp:RATE (e.g. exp:1)",
}


def _numbers(text: str, count: int, what: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != count or any(p == "" for p in parts):
        raise ValueError(f"{what} needs exactly {count} comma-separated numbers, got {short_repr(text.strip())}")
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise ValueError(f"{what}: {short_repr(p)} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{what}: {short_repr(p)} must be a finite number")
        values.append(v)
    return values


def _check_location(value: float, name: str) -> None:
    if abs(value) > MAX_ABS_LOCATION:
        raise ValueError(f"{name} = {_num(value)} is too far out; keep it within ±{_num(MAX_ABS_LOCATION)}")


def _check_scale(value: float, name: str) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0 (got {_num(value)})")
    if value < MIN_SCALE or value > MAX_SCALE:
        raise ValueError(f"{name} = {_num(value)} is outside [{_num(MIN_SCALE)}, {_num(MAX_SCALE)}]")


def normal(mu: float, sigma: float) -> Normal:
    _check_location(mu, "mean µ")
    _check_scale(sigma, "standard deviation σ")
    return Normal(float(mu), float(sigma))


def uniform(a: float, b: float) -> Uniform:
    _check_location(a, "lower end A")
    _check_location(b, "upper end B")
    if not b > a:
        raise ValueError(f"uniform:A,B needs A < B (got A = {_num(a)}, B = {_num(b)})")
    _check_scale(b - a, "width B − A")
    return Uniform(float(a), float(b))


def exponential(rate: float) -> Exponential:
    if rate <= 0:
        raise ValueError(f"the rate must be greater than 0 (got {_num(rate)})")
    _check_scale(1.0 / rate, "1 / rate")
    return Exponential(float(rate))


def mixture(components: list[tuple[float, float, float]]) -> Mixture:
    if not components:
        raise ValueError("a mixture needs at least one component W,MU,SIGMA")
    if len(components) > MAX_MIXTURE_COMPONENTS:
        raise ValueError(f"at most {MAX_MIXTURE_COMPONENTS} mixture components, got {len(components)}")
    for i, (w, mu, s) in enumerate(components, start=1):
        if w <= 0:
            raise ValueError(f"mixture component {i}: weight must be greater than 0 (got {_num(w)})")
        _check_location(mu, f"mixture component {i}: mean")
        _check_scale(s, f"mixture component {i}: standard deviation")
    total = sum(w for w, _, _ in components)
    weights = tuple(float(w / total) for w, _, _ in components)
    return Mixture(weights, tuple(float(m) for _, m, _ in components), tuple(float(s) for _, _, s in components))


def parse_target(spec: str) -> Target:
    """A Target from its spec string; ValueError with a human message on bad input."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"target must look like one of: {'; '.join(KINDS.values())} (got {short_repr(spec)})")
    kind, _, rest = spec.partition(":")
    kind = kind.strip().lower()
    if kind in ("exponential",):
        kind = "exp"
    if kind in ("gaussian",):
        kind = "normal"
    if kind == "normal":
        mu, sigma = _numbers(rest, 2, "normal:MU,SIGMA")
        return normal(mu, sigma)
    if kind == "uniform":
        a, b = _numbers(rest, 2, "uniform:A,B")
        return uniform(a, b)
    if kind == "exp":
        (rate,) = _numbers(rest, 1, "exp:RATE")
        return exponential(rate)
    if kind == "mixture":
        chunks = [c for c in rest.split(";") if c.strip()]
        if not chunks:
            raise ValueError("a mixture needs at least one component W,MU,SIGMA (e.g. mixture:0.5,-2,0.5;0.5,2,0.5)")
        comps = []
        for i, chunk in enumerate(chunks, start=1):
            w, mu, s = _numbers(chunk, 3, f"mixture component {i} (W,MU,SIGMA)")
            comps.append((w, mu, s))
        return mixture(comps)
    raise ValueError(f"unknown target kind {short_repr(kind)}; use one of: {'; '.join(KINDS.values())}")


# ---------------------------------------------------------------- a target from form fields and back
# The page can show a target as a kind plus a few numbers (µ, σ, ...) instead of a spec string; these
# turn one into the other. Parameter names per kind, in spec order, with the value each starts from.
TARGET_KINDS = {
    "normal": "Normal N(µ, σ²)",
    "uniform": "Uniform U(a, b)",
    "mixture": "Two-Gaussian mixture",
    "exp": "Exponential (x = −ln z)",
}
TARGET_PARAMS: dict[str, dict[str, float]] = {
    "normal": {"mu": 3.0, "sigma": 0.7},
    "uniform": {"a": -1.0, "b": 2.0},
    "mixture": {"w1": 0.5, "mu1": -2.0, "s1": 0.5, "mu2": 2.0, "s2": 0.5},  # bump 2 gets weight 1 − w1
    "exp": {"rate": 1.0},
}


def _field(value) -> str:
    # An emptied number box (None) leaves a gap in the spec, so parse_target reports the target as incomplete.
    return _num(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def target_spec(kind: str, params: dict[str, float | None]) -> str:
    """The spec string for a kind and its numbers (missing ones take TARGET_PARAMS' start values).

    A two-Gaussian mixture is given by w1 (bump 2 gets 1 − w1). The result may be invalid (σ ≤ 0, an
    emptied box): `parse_target` / `Mapping1DConfig.validate()` then say why.
    """
    if kind not in TARGET_PARAMS:
        raise ValueError(f"unknown target kind {short_repr(kind)}; use one of: {', '.join(TARGET_PARAMS)}")
    p = {**TARGET_PARAMS[kind], **{k: v for k, v in params.items() if k in TARGET_PARAMS[kind]}}
    if kind == "mixture":
        w1 = p["w1"]
        w2 = 1.0 - w1 if isinstance(w1, (int, float)) and not isinstance(w1, bool) else None
        return (f"mixture:{_field(w1)},{_field(p['mu1'])},{_field(p['s1'])};"
                f"{_field(w2)},{_field(p['mu2'])},{_field(p['s2'])}")
    return f"{kind}:" + ",".join(_field(p[name]) for name in TARGET_PARAMS[kind])


def target_params(spec: str) -> tuple[str, dict[str, float]] | None:
    """(kind, numbers) that `target_spec` turns back into this target; None when the form cannot show it
    (an unreadable spec, or a mixture that is not of two Gaussians)."""
    try:
        canonical = parse_target(spec).spec
    except ValueError:
        return None
    kind, _, rest = canonical.partition(":")
    numbers = [float(v) for v in rest.replace(";", ",").split(",")]
    if kind == "mixture":
        if len(numbers) != 6:
            return None
        w1, mu1, s1, _, mu2, s2 = numbers
        return kind, {"w1": w1, "mu1": mu1, "s1": s1, "mu2": mu2, "s2": s2}
    names = list(TARGET_PARAMS[kind])
    return (kind, dict(zip(names, numbers))) if len(names) == len(numbers) else None


def canonical_target(spec: str) -> str:
    """One spelling per target ("Gaussian: 3, 0.70" -> "normal:3,0.7"); an unreadable spec is returned as is."""
    try:
        return parse_target(spec).spec
    except ValueError:
        return spec


def same_target(a: str, b: str) -> bool:
    """Whether two specs describe the same distribution (so changing one into the other is not a change)."""
    return canonical_target(a) == canonical_target(b)
