"""The two games as gradient fields over the plane.

Convention used everywhere in this package: a game is a vector field F(z), z = (x, y), such that
plain gradient play moves both players by z' = z - eta * F(z). The first component is the minimising
player's gradient (x, or the generator's theta); the second is the *negated* gradient of the maximising
player (y, or the discriminator's psi), because that player climbs its objective. Every function here
is vectorised over leading axes: z has shape (..., 2).

The equilibrium of both games is the origin, z* = (0, 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOSSES = ("standard", "nonsaturating", "wasserstein")
REGULARISERS = ("none", "r1", "wgan-gp", "instance-noise")

LOSS_LABELS = {
    "standard": "standard (saturating minimax)",
    "nonsaturating": "non-saturating",
    "wasserstein": "Wasserstein (critic, no constraint)",
}
REG_LABELS = {
    "none": "none",
    "r1": "R1 gradient penalty",
    "wgan-gp": "WGAN-GP",
    "instance-noise": "instance noise",
}

# Gauss-Hermite nodes turn the instance-noise expectation E_eps[g(eps)], eps ~ N(0, sigma^2),
# into a deterministic weighted sum: the "expected gradient" form, exact for polynomials of degree < 40
# and far below plotting precision for the smooth sigmoid terms here.
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite.hermgauss(20)
_GH_WEIGHTS = _GH_WEIGHTS / np.sqrt(np.pi)


def sigmoid(t: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warning for large |t|
    return 0.5 * (1.0 + np.tanh(0.5 * t))


class Game:
    """A two-player zero-sum game given by its gradient field F (see module docstring)."""

    name = "game"
    axis_labels = ("x", "y")
    player_names = ("x (minimises)", "y (maximises)")
    equilibrium = np.zeros(2)

    def field(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def jacobian(self, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
        """dF/dz at z (shape (..., 2, 2)), by central differences; games with a closed form override it."""
        z = np.asarray(z, dtype=float)
        cols = []
        for j in range(2):
            e = np.zeros(2)
            e[j] = h
            cols.append((self.field(z + e) - self.field(z - e)) / (2 * h))
        return np.stack(cols, axis=-1)

    def equilibrium_jacobian(self) -> np.ndarray | None:
        """Jacobian of F at the equilibrium, or None where F is not differentiable there."""
        return self.jacobian(self.equilibrium)

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class XYGame(Game):
    """min_x max_y f(x, y) = x * y. F = (df/dx, -df/dy) = (y, -x): a pure rotation."""

    name = "xy"
    axis_labels = ("x", "y")
    player_names = ("x (minimises x·y)", "y (maximises x·y)")

    def field(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.stack([z[..., 1], -z[..., 0]], axis=-1)

    def jacobian(self, z: np.ndarray, h: float = 0.0) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return np.broadcast_to(np.array([[0.0, 1.0], [-1.0, 0.0]]), z.shape[:-1] + (2, 2)).copy()

    def value(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return z[..., 0] * z[..., 1]

    def describe(self) -> str:
        return "xy game: min over x, max over y of f(x, y) = x·y"


@dataclass(frozen=True)
class DiracGAN(Game):
    """Dirac-GAN (Mescheder, Geiger & Nowozin 2018): real data is a point mass at 0, the generator outputs
    theta, the discriminator is linear, D(x) = psi * x (a logit, or a critic value for Wasserstein).

    Standard loss: V(theta, psi) = log sigmoid(D(real)) + log(1 - sigmoid(D(fake))), D maximises V;
    the generator minimises V (saturating) or minimises -log sigmoid(D(fake)) (non-saturating).
    Wasserstein: V = D(real) - D(fake) = -psi * theta, critic maximises, generator minimises.
    Regularisers act on the discriminator only, with strength `gamma`:
      r1:             gamma/2 * |dD/dx at real|^2 = gamma/2 * psi^2
      wgan-gp:        gamma/2 * (|dD/dx| - 1)^2 = gamma/2 * (|psi| - 1)^2 (dD/dx = psi everywhere)
      instance-noise: both real and fake samples get N(0, noise_std^2) noise; expected gradient.
    """

    loss: str = "standard"
    reg: str = "none"
    gamma: float = 1.0
    noise_std: float = 1.0

    name = "dirac"
    axis_labels = ("θ", "ψ")
    player_names = ("θ (generator output)", "ψ (discriminator slope)")

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.reg not in REGULARISERS:
            raise ValueError(f"unknown regulariser {self.reg!r}; choose one of {', '.join(REGULARISERS)}")

    # d/dt of the per-sample terms, as functions of the logit t = D(x)
    def _real_term_grad(self, t):  # d/dt of the discriminator's term on real samples
        return np.ones_like(t) if self.loss == "wasserstein" else sigmoid(-t)  # d log sigmoid(t)

    def _fake_term_grad(self, t):  # d/dt of the discriminator's term on fake samples
        return -np.ones_like(t) if self.loss == "wasserstein" else -sigmoid(t)  # d log(1 - sigmoid(t))

    def _generator_grad(self, t):  # d/dt of the generator's loss on a fake sample
        if self.loss == "wasserstein":
            return -np.ones_like(t)  # generator minimises -D(fake)
        if self.loss == "nonsaturating":
            return -sigmoid(-t)  # d(-log sigmoid(t))
        return -sigmoid(t)  # saturating: minimises log(1 - sigmoid(t)), d = -sigmoid(t)

    def field(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        theta, psi = z[..., 0], z[..., 1]
        if self.reg == "instance-noise" and self.noise_std > 0:
            # eps has a trailing quadrature axis; real samples are eps, fake samples theta + eps
            eps = np.sqrt(2.0) * self.noise_std * _GH_NODES
            th, ps = theta[..., None], psi[..., None]
            fake = th + eps
            g_theta = np.sum(_GH_WEIGHTS * self._generator_grad(ps * fake) * ps, axis=-1)
            d_psi = np.sum(
                _GH_WEIGHTS * (self._real_term_grad(ps * eps) * eps + self._fake_term_grad(ps * fake) * fake),
                axis=-1,
            )
        else:
            t = psi * theta
            g_theta = self._generator_grad(t) * psi
            # real sample x = 0 contributes d/dpsi [term(psi * 0)] = 0
            d_psi = self._fake_term_grad(t) * theta
        # the discriminator climbs its objective minus the penalty; F holds the negated ascent direction
        f_psi = -d_psi
        if self.reg == "r1":
            f_psi = f_psi + self.gamma * psi
        elif self.reg == "wgan-gp":
            f_psi = f_psi + self.gamma * (np.abs(psi) - 1.0) * np.sign(psi)
        return np.stack([g_theta, f_psi], axis=-1)

    def equilibrium_jacobian(self) -> np.ndarray | None:
        if self.reg == "wgan-gp":
            # (|psi| - 1)^2 has a kink at psi = 0: the penalty pushes the critic away from 0 on both sides
            return None
        return self.jacobian(self.equilibrium)

    def closed_form_equilibrium_jacobian(self) -> np.ndarray | None:
        """The same Jacobian written out by hand (tests compare it with the numerical one).

        With f'(0) the slope of the loss terms at logit 0 (1/2 for the sigmoid losses, 1 for Wasserstein):
        J = [[0, -f'(0)], [f'(0), reg]] where reg = gamma for R1 and sigma^2 * |f''| summed over real and
        fake (= sigma^2 / 2) for instance noise on the sigmoid losses; linear (Wasserstein) terms average
        out noise, so instance noise adds nothing there.
        """
        if self.reg == "wgan-gp":
            return None
        slope = 1.0 if self.loss == "wasserstein" else 0.5
        damping = 0.0
        if self.reg == "r1":
            damping = self.gamma
        elif self.reg == "instance-noise" and self.loss != "wasserstein":
            damping = self.noise_std**2 / 2.0
        return np.array([[0.0, -slope], [slope, damping]])

    def describe(self) -> str:
        reg = REG_LABELS[self.reg]
        if self.reg in ("r1", "wgan-gp"):
            reg += f" (γ = {self.gamma:g})"
        elif self.reg == "instance-noise":
            reg += f" (σ = {self.noise_std:g})"
        return f"Dirac-GAN, {LOSS_LABELS[self.loss]} loss, regulariser: {reg}"


def make_game(game: str, loss: str = "standard", reg: str = "none", gamma: float = 1.0, noise_std: float = 1.0) -> Game:
    if game == "xy":
        return XYGame()
    if game == "dirac":
        return DiracGAN(loss=loss, reg=reg, gamma=float(gamma), noise_std=float(noise_std))
    raise ValueError(f"unknown game {game!r}; choose xy or dirac")
