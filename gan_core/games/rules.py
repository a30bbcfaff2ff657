"""Update rules for a two-player game given its gradient field F (see fields.py), and trajectories.

Each rule maps (z_t, z_{t-1}) to z_{t+1}; only optimistic steps and momentum look at z_{t-1}.
`momentum` (beta) adds beta * (z_t - z_{t-1}) (heavy ball; negative beta is "negative momentum",
which damps the rotation of alternating steps). Everything is vectorised over leading axes of z.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.games.fields import Game

METHODS = ("simultaneous", "alternating", "extragradient", "optimistic", "consensus")

# short: they are legend entries on a 470-pixel plot
METHOD_LABELS = {
    "simultaneous": "simultaneous",
    "alternating": "alternating",
    "extragradient": "extragradient",
    "optimistic": "optimistic",
    "consensus": "consensus",
}

# A trajectory whose distance to the equilibrium passes this is declared diverged and stopped:
# beyond it nothing is visible on any plot and floats soon overflow.
DIVERGENCE_BOUND = 1e6


def step(
    game: Game,
    method: str,
    z: np.ndarray,
    z_prev: np.ndarray,
    eta: float,
    momentum: float = 0.0,
    consensus: float = 0.5,
) -> np.ndarray:
    """One step of `method` from z (with previous iterate z_prev), returns z_{t+1}."""
    push = momentum * (z - z_prev) if momentum else 0.0
    if method == "simultaneous":
        return z - eta * game.field(z) + push
    if method == "alternating":
        # the minimising player moves first; the second player answers the *new* x
        x_new = z[..., 0] - eta * game.field(z)[..., 0]
        if momentum:
            x_new = x_new + momentum * (z[..., 0] - z_prev[..., 0])
        z_mid = np.stack([x_new, z[..., 1]], axis=-1)
        y_new = z[..., 1] - eta * game.field(z_mid)[..., 1]
        if momentum:
            y_new = y_new + momentum * (z[..., 1] - z_prev[..., 1])
        return np.stack([x_new, y_new], axis=-1)
    if method == "extragradient":
        # look ahead with a plain step, then step from z using the gradient found at the look-ahead point
        z_look = z - eta * game.field(z)
        return z - eta * game.field(z_look) + push
    if method == "optimistic":
        # 2F(z_t) - F(z_{t-1}) extrapolates the gradient one step ahead from past gradients
        return z - eta * (2.0 * game.field(z) - game.field(z_prev)) + push
    if method == "consensus":
        # also descend on |F|^2 / 2, the "consensus" both players share: its gradient is J^T F
        f = game.field(z)
        jac = game.jacobian(z)
        grad_norm = np.einsum("...ji,...j->...i", jac, f)
        return z - eta * (f + consensus * grad_norm) + push
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def uses_previous_iterate(method: str, momentum: float = 0.0) -> bool:
    return method == "optimistic" or bool(momentum)


@dataclass
class Trajectory:
    """Iterates z_0..z_steps (shape (steps + 1, 2)); rows after a divergence are NaN."""

    points: np.ndarray
    diverged_at: int | None  # first step whose iterate left the divergence bound (or became non-finite)

    @property
    def distances(self) -> np.ndarray:
        return np.linalg.norm(self.points, axis=-1)

    @property
    def last_finite_index(self) -> int:
        return len(self.points) - 1 if self.diverged_at is None else self.diverged_at - 1

    @property
    def final(self) -> np.ndarray:
        return self.points[self.last_finite_index]


def simulate(
    game: Game,
    method: str,
    eta: float,
    steps: int,
    start: tuple[float, float] = (2.0, 2.0),
    momentum: float = 0.0,
    consensus: float = 0.5,
    bound: float = DIVERGENCE_BOUND,
) -> Trajectory:
    """Run `steps` updates from `start`. Deterministic: no randomness anywhere in the games."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    points = np.full((steps + 1, 2), np.nan)
    z = np.asarray(start, dtype=float)
    points[0] = z
    z_prev = z  # no history at t = 0: optimistic's first step is a plain step, momentum starts at rest
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            z_next = step(game, method, z, z_prev, eta, momentum, consensus)
            if not np.all(np.isfinite(z_next)) or np.hypot(z_next[0], z_next[1]) > bound:
                diverged_at = t
                break
            points[t] = z_next
            z_prev, z = z, z_next
    return Trajectory(points=points, diverged_at=diverged_at)
