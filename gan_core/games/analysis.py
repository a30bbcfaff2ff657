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

from gan_core.games.fields import LOSS_LABELS, LOSSES, REG_LABELS, REGULARISERS, Game, make_game
from gan_core.games.rules import METHODS, simulate, step, uses_previous_iterate

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


# ---------------------------------------------------------------- what a whole run did

RUN_OUTCOMES = ("converges", "spirals out", "stalls away from the data", "still approaching slowly",
                "circles (no convergence)")


def classify_run(points: np.ndarray, diverged_at: int | None) -> str:
    """Name what a run did, from its last quarter (the eigenvalues only speak about the neighbourhood of 0).

    One of RUN_OUTCOMES: within 1e-3 of the equilibrium "converges"; diverged or ending 1.5× farther out than it
    started "spirals out"; hardly moving any more "stalls away from the data"; still 20 % closer than a quarter
    of the run ago "still approaching slowly"; otherwise "circles (no convergence)".
    """
    if diverged_at is not None:
        return "spirals out"
    dist = np.linalg.norm(points, axis=1)
    n = len(points) - 1
    q3 = max(0, (3 * n) // 4)
    if dist[-1] < 1e-3:
        return "converges"
    if dist[-1] > 1.5 * dist[0]:
        return "spirals out"
    mean_move = float(np.mean(np.linalg.norm(np.diff(points[q3:], axis=0), axis=1))) if n > q3 else 0.0
    if mean_move < 1e-6:
        return "stalls away from the data"
    if dist[-1] < 0.8 * dist[q3]:
        return "still approaching slowly"
    return "circles (no convergence)"


def regulariser_sweep(method: str, eta: float, steps: int, start: tuple[float, float], gamma: float,
                      noise_std: float) -> list[dict]:
    """Every loss × regulariser on Dirac-GAN with one update rule: what the eigenvalues and a real run say.

    One row per pair, as the page's table shows it (loss, regulariser, largest |λ|, local verdict, distance
    after `steps` steps, run outcome from `classify_run`).
    """
    rows = []
    for loss in LOSSES:
        for reg in REGULARISERS:
            game = make_game("dirac", loss, reg, gamma, noise_std)
            traj = simulate(game, method, eta, steps, start)
            local = analyse(game, method, eta)
            distance = float(np.linalg.norm(traj.final))
            rows.append({
                "loss": LOSS_LABELS[loss].split(" (")[0],
                "regulariser": REG_LABELS[reg],
                "largest |λ|": round(local.spectral_radius, 5) if local else None,
                "local verdict": local.verdict if local else "no Jacobian (kink at ψ=0)",
                f"distance after {steps} steps": float(f"{distance:.3g}"),
                "run": classify_run(traj.points, traj.diverged_at),
            })
    return rows
