"""Local analysis at the equilibrium: the Jacobian of one update step and its eigenvalues.

Near z* every game behaves like its linearisation F(z) ~ J z. Pushing the unit vectors through one step
of the *same* rule code on that linear game gives the update map's matrix exactly (the rules are
linear in z for a linear field), so the analysis can never disagree with the simulation.
Rules that look at z_{t-1} (optimistic, momentum) act on the state (z_t, z_{t-1}): a 4x4 matrix.

|lambda| > 1: the iterates spiral out; = 1: they cycle forever; < 1: they converge, the distance
shrinking by the spectral radius per step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.games.fields import Game
from gan_core.games.rules import METHODS, step, uses_previous_iterate

# spectral radii within this of 1 are reported as cycling (floating-point noise in the eigen-solver)
CYCLE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LinearGame(Game):
    """F(z) = J z: a game's linearisation at its equilibrium."""

    matrix: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 1.0), (-1.0, 0.0))

    name = "linear"

    def field(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z, dtype=float) @ np.asarray(self.matrix).T

    def jacobian(self, z: np.ndarray, h: float = 0.0) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.broadcast_to(np.asarray(self.matrix), z.shape[:-1] + (2, 2)).copy()


def update_matrix(
    field_jacobian: np.ndarray, method: str, eta: float, momentum: float = 0.0, consensus: float = 0.5
) -> np.ndarray:
    """Matrix of one update step of `method` on the linear game F(z) = J z (2x2, or 4x4 with history)."""
    game = LinearGame(matrix=tuple(map(tuple, np.asarray(field_jacobian, dtype=float))))
    if uses_previous_iterate(method, momentum):
        basis = np.eye(4)  # state (z_t, z_{t-1})
        z, z_prev = basis[:, :2], basis[:, 2:]
        z_next = step(game, method, z, z_prev, eta, momentum, consensus)
        # new state (z_{t+1}, z_t): columns are images of the unit vectors
        return np.concatenate([z_next, z], axis=1).T
    basis = np.eye(2)
    return step(game, method, basis, basis, eta, momentum, consensus).T


@dataclass(frozen=True)
class LocalAnalysis:
    method: str
    eigenvalues: np.ndarray  # complex
    spectral_radius: float

    @property
    def verdict(self) -> str:
        if self.spectral_radius > 1 + CYCLE_TOLERANCE:
            return "spirals out"
        if self.spectral_radius >= 1 - CYCLE_TOLERANCE:
            return "cycles"
        return "converges"

    @property
    def steps_to_halve(self) -> float:
        """Steps for the distance to halve (or double, when spiralling out); inf when cycling."""
        rate = abs(np.log(self.spectral_radius)) if self.spectral_radius > 0 else np.inf
        return float(np.log(2.0) / rate) if rate > CYCLE_TOLERANCE else float("inf")


def analyse(
    game: Game, method: str, eta: float, momentum: float = 0.0, consensus: float = 0.5
) -> LocalAnalysis | None:
    """Eigenvalues of the update's Jacobian at the equilibrium; None where the field has no Jacobian there."""
    jac = game.equilibrium_jacobian()
    if jac is None:
        return None
    m = update_matrix(jac, method, eta, momentum, consensus)
    eig = np.linalg.eigvals(m)
    return LocalAnalysis(method=method, eigenvalues=eig, spectral_radius=float(np.max(np.abs(eig))))


def spectral_radius_curve(
    game: Game, method: str, etas: np.ndarray, momentum: float = 0.0, consensus: float = 0.5
) -> np.ndarray:
    """Spectral radius of the update at the equilibrium for each step size (NaN where undefined)."""
    jac = game.equilibrium_jacobian()
    if jac is None:
        return np.full(len(etas), np.nan)
    out = np.empty(len(etas))
    for i, eta in enumerate(etas):
        out[i] = np.max(np.abs(np.linalg.eigvals(update_matrix(jac, method, float(eta), momentum, consensus))))
    return out


# Closed forms for the xy game (J = [[0, 1], [-1, 0]], eigenvalues +-i), used by the tests and the page.
def xy_closed_form_modulus(method: str, eta: float, consensus: float = 0.5) -> float:
    if method == "simultaneous":
        return float(np.sqrt(1 + eta**2))  # lambda = 1 -+ i eta
    if method == "alternating":
        return 1.0 if eta <= 2 else float("nan")  # det = 1, complex pair for eta < 2
    if method == "extragradient":
        return float(np.sqrt(1 - eta**2 + eta**4))  # lambda = 1 - eta^2 -+ i eta
    if method == "consensus":
        return float(np.sqrt((1 - eta * consensus) ** 2 + eta**2))  # J^T J = I
    if method == "optimistic":
        # lambda^2 - (1 - 2 eta mu) lambda - eta mu = 0 for mu = +-i
        roots = np.roots([1.0, -(1 - 2j * eta), -1j * eta])
        return float(np.max(np.abs(roots)))
    raise ValueError(method)


__all__ = ["METHODS", "LinearGame", "LocalAnalysis", "analyse", "spectral_radius_curve", "update_matrix", "xy_closed_form_modulus"]
