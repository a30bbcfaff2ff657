"""Dirac-GAN's regulariser sweep and the run classifier (moved from the xy page into gan_core.games.analysis)."""
import math

import numpy as np
import pytest

from gan_core.games.analysis import RUN_OUTCOMES, classify_run, regulariser_sweep

ETA = 0.1


def spiral(radius_per_step: float, n: int = 2000, start: float = 1.0, turn: float = 0.3) -> np.ndarray:
    t = np.arange(n + 1)
    r = start * radius_per_step ** t
    return np.stack([r * np.cos(turn * t), r * np.sin(turn * t)], axis=1)


@pytest.mark.parametrize("points, diverged_at, outcome", [
    (spiral(0.99), None, "converges"),
    (spiral(1.001), None, "spirals out"),
    (spiral(1.0), 1500, "spirals out"),  # cut at a divergence
    (spiral(1.0), None, "circles (no convergence)"),
    (np.repeat([[0.0, 2.0]], 500, axis=0), None, "stalls away from the data"),
    (np.linspace([1.0, 1.0], [0.1, 0.1], 400), None, "still approaching slowly"),
])
def test_each_outcome_is_named_from_the_shape_of_the_run(points, diverged_at, outcome):
    assert outcome in RUN_OUTCOMES
    assert classify_run(points, diverged_at) == outcome


@pytest.fixture(scope="module")
def sweep():
    rows = regulariser_sweep("simultaneous", ETA, 2000, (1.0, 1.0), gamma=1.0, noise_std=1.0)
    return {(r["loss"], r["regulariser"]): r for r in rows}


def test_one_row_per_loss_and_regulariser(sweep):
    assert len(sweep) == 12
    row = next(iter(sweep.values()))
    assert list(row) == ["loss", "regulariser", "largest |λ|", "local verdict", "distance after 2000 steps", "run"]


@pytest.mark.parametrize("loss, slope", [("standard", 0.5), ("non-saturating", 0.5), ("Wasserstein", 1.0)])
def test_unregularised_simultaneous_steps_spiral_out_at_the_closed_form_rate(sweep, loss, slope):
    # Jacobian at the equilibrium [[0, f'(0)], [-f'(0), 0]]: one step multiplies |z| by sqrt(1 + η² f'(0)²).
    row = sweep[(loss, "none")]
    assert row["largest |λ|"] == pytest.approx(math.sqrt(1 + ETA**2 * slope**2), abs=1e-5)
    assert row["local verdict"] == "spirals out"


@pytest.mark.parametrize("loss", ["standard", "non-saturating", "Wasserstein"])
def test_r1_makes_every_loss_converge_locally_and_in_the_run(sweep, loss):
    row = sweep[(loss, "R1 gradient penalty")]
    assert row["largest |λ|"] < 1 and row["local verdict"] == "converges"
    assert row["run"] == "converges" and row["distance after 2000 steps"] < 1e-3


def test_wgan_gp_has_no_jacobian_at_the_kink_and_does_not_reach_the_equilibrium(sweep):
    for loss in ("standard", "non-saturating", "Wasserstein"):
        row = sweep[(loss, "WGAN-GP")]
        assert row["largest |λ|"] is None and row["run"] != "converges"


def test_instance_noise_cannot_help_a_linear_critic_under_the_wasserstein_loss(sweep):
    assert sweep[("Wasserstein", "instance noise")]["largest |λ|"] == sweep[("Wasserstein", "none")]["largest |λ|"]
    assert sweep[("standard", "instance noise")]["run"] == "converges"
