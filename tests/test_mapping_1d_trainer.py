"""Mapping1DTrainer: determinism per seed, capped history, saturation, divergence, reading the model."""
import math

import numpy as np
import pytest

from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.trainer import HISTORY_SERIES, Mapping1DTrainer

SMALL = dict(width=16, batch_size=64)


def _history(trainer):
    return {name: trainer.history.column(name) for name in HISTORY_SERIES}


def test_same_seed_gives_identical_histories_however_steps_are_chunked():
    a = Mapping1DTrainer(Mapping1DConfig(seed=7, **SMALL))
    b = Mapping1DTrainer(Mapping1DConfig(seed=7, **SMALL))
    a.step(300)
    for chunk in (1, 49, 250):  # a live page advances in uneven chunks
        b.step(chunk)
    ha, hb = _history(a), _history(b)
    for name in HISTORY_SERIES:
        assert np.array_equal(ha[name], hb[name], equal_nan=True), name
    assert np.array_equal(a.generate(100), b.generate(100))


def test_different_seeds_give_different_runs():
    a = Mapping1DTrainer(Mapping1DConfig(seed=1, **SMALL))
    b = Mapping1DTrainer(Mapping1DConfig(seed=2, **SMALL))
    a.step(50)
    b.step(50)
    assert not np.allclose(a.history.column("g_loss"), b.history.column("g_loss"))


def test_reset_reproduces_the_run_and_can_change_the_seed():
    t = Mapping1DTrainer(Mapping1DConfig(seed=3, **SMALL))
    t.step(100)
    first = t.history.column("d_loss")
    t.reset()
    assert t.steps == 0 and len(t.history) == 0
    t.step(100)
    assert np.array_equal(first, t.history.column("d_loss"))
    t.reset(seed=4)
    assert t.config.seed == 4
    t.step(100)
    assert not np.array_equal(first, t.history.column("d_loss"))


def test_history_stays_capped_over_many_steps():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL), log_every=1, history_capacity=50)
    t.step(400)
    assert t.steps == 400
    assert len(t.history) == 50
    steps = t.history.column("step")
    assert steps[0] == 351 and steps[-1] == 400  # the newest rows are kept, oldest first


def test_history_rows_hold_the_interface_series_with_w1_every_few_steps():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL), log_every=10, w1_every=50)
    t.step(200)
    h = t.history
    assert set(HISTORY_SERIES) <= set(h.names)
    w1 = h.column("w1")
    assert np.isfinite(w1).sum() == 4 and np.isnan(w1).sum() == 16
    assert np.all((h.column("d_real") >= 0) & (h.column("d_real") <= 1))  # probabilities for the BCE loss
    assert np.all(h.column("g_grad") > 0)


def test_default_settings_learn_the_target():
    t = Mapping1DTrainer(Mapping1DConfig())
    before = t.w1()
    t.step(1500)
    assert t.status == "ok"
    assert t.w1() < 0.2 * t.target.std < before


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax", "least_squares", "wgan_gp"])
def test_every_loss_trains_and_moves_towards_the_target(loss):
    t = Mapping1DTrainer(Mapping1DConfig(loss=loss, **SMALL))
    before = t.w1()
    t.step(300)
    assert t.status == "ok"
    assert t.w1() < before
    assert t.discriminator_is_probability == (loss in ("nonsaturating", "minimax"))


def test_minimax_generator_gradient_vanishes_when_d_wins():
    # Freeze a poor G far from the data and let D win: the saturating loss's gradient dies, the
    # non-saturating one's does not (same networks, same samples).
    # r1=0: the R1 penalty exists to stop D from becoming this sure of itself
    t = Mapping1DTrainer(Mapping1DConfig(loss="minimax", target="normal:3,0.7", lr_d=5e-3, r1=0.0, **SMALL))
    t.engine.G.params[5][...] -= 4.0  # G's output bias: samples 4σ below the data
    t.engine.ema_flat[...] = t.engine.G.flat  # the drawn (averaged) G too
    t.train_discriminator(400)
    assert t.discriminator_curve(t.generate(200)).mean() < 0.01  # D is sure they are fake
    minimax, nonsat = t.generator_gradient("minimax"), t.generator_gradient("nonsaturating")
    assert minimax < 0.02 * nonsat
    # ...and the history's g_grad shows it while training with the saturating loss
    t.step(10)
    assert t.history.last("g_grad") < 0.05 * nonsat


def test_maps_and_curves_have_the_right_shapes_and_units():
    t = Mapping1DTrainer(Mapping1DConfig(target="uniform:-1,2", **SMALL))
    t.step(200)
    z = np.linspace(0.01, 0.99, 33)
    assert t.generator_map(z).shape == (33,)
    assert t.ideal_map(z) == pytest.approx(-1 + 3 * z)
    x = np.linspace(-2, 3, 17)
    d = t.discriminator_curve(x)
    assert d.shape == (17,) and np.all((d >= 0) & (d <= 1))
    assert t.generate(1000).shape == (1000,)
    assert np.array_equal(t.generate(50), t.generate(50))  # fixed noise: charts only change when G does
    real = t.real_samples(500)
    assert real.min() >= -1 and real.max() <= 2
    assert math.isfinite(t.w1()) and t.w1() >= 0


def test_ideal_map_for_normal_noise_is_the_target_quantile_of_phi():
    t = Mapping1DTrainer(Mapping1DConfig(noise="normal", target="normal:3,0.7", **SMALL))
    z = np.array([-1.0, 0.0, 2.0])
    assert t.ideal_map(z) == pytest.approx(3 + 0.7 * z)


def test_w1_of_an_untrained_generator_is_large_and_trained_one_small():
    t = Mapping1DTrainer(Mapping1DConfig(target="normal:-5,3"))
    assert t.w1() > 0.3 * 3
    t.step(1500)
    assert t.w1() < 0.2 * 3


def test_run_for_respects_its_step_cap_and_reports_throughput():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL))
    done = t.run_for(budget_seconds=10.0, max_steps=37)
    assert done == 37 and t.steps == 37
    done = t.run_for(budget_seconds=0.05, max_steps=10**9)
    assert 0 < done < 10**9
    assert t.steps_per_second > 0


def test_exploding_weights_are_detected_and_the_last_good_state_restored():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL), snapshot_every=100)
    t.step(250)
    good_w1 = t.w1()
    rows = len(t.history)
    t.engine.G.params[4][...] = 1e30  # as if a huge learning rate had thrown the weights away
    t.step(100)
    assert t.status == "diverged"
    assert "diverged" in t.message and "Restore" in t.message
    t.step(10)  # a diverged run does not move on
    assert t.steps == 251
    t.restore_last_good()
    assert t.status == "ok" and t.message == ""
    assert t.steps == 200
    assert len(t.history) <= rows
    assert np.all(np.isfinite(t.engine.G.flat))
    t.step(50)
    assert t.status == "ok" and t.w1() < 2 * good_w1 + 0.1


def test_nan_in_the_discriminator_is_detected():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL))
    t.step(20)
    t.engine.D.params[2][0, 0] = np.nan
    t.step(5)
    assert t.status == "diverged" and "NaN" in t.message
    t.reset()
    assert t.status == "ok" and t.steps == 0


def test_largest_allowed_learning_rates_diverge_or_stay_finite_never_crash():
    t = Mapping1DTrainer(Mapping1DConfig(lr_g=0.1, lr_d=0.1, loss="least_squares", **SMALL))
    t.step(300)
    assert t.status in ("ok", "diverged")
    if t.status == "ok":
        assert np.all(np.isfinite(t.generate(100)))


def test_invalid_config_is_refused_with_the_messages():
    with pytest.raises(ValueError, match="greater than 0"):
        Mapping1DTrainer(Mapping1DConfig(target="normal:0,0"))


def test_torch_engine_runs_the_same_interface():
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL), engine="torch")
    t.step(30)
    assert t.engine_name == "torch" and t.status == "ok"
    assert t.generate(10).shape == (10,)
    assert t.discriminator_curve(np.zeros(4)).shape == (4,)


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_generator_push_is_minus_the_loss_slope_seen_through_d(engine):
    # −∂ℓ/∂x from backprop equals a finite difference of ℓ(D(x)) computed from the D(x) curve.
    t = Mapping1DTrainer(Mapping1DConfig(loss="least_squares", **SMALL), engine=engine)
    t.step(100)
    x = np.linspace(1.5, 4.5, 7)
    h = 1e-3
    loss_at = lambda v: 0.5 * (t.discriminator_curve(v) - 1.0) ** 2  # noqa: E731
    numeric = -(loss_at(x + h) - loss_at(x - h)) / (2 * h)
    assert t.generator_push(x) == pytest.approx(numeric, rel=2e-2, abs=2e-3)


def test_an_absurd_learning_rate_diverges_and_restore_brings_back_the_last_good_state():
    # Validation refuses lr > 0.1, so the absurd value is forced in mid-run (as a bug or a future
    # widget might): the trainer must still stop, explain, and restore.
    t = Mapping1DTrainer(Mapping1DConfig(**SMALL), snapshot_every=50)
    t.step(120)
    t.config.lr_g = t.config.lr_d = 1e3
    t.step(500)
    assert t.status == "diverged" and t.steps < 620
    assert "learning rate" in t.message
    t.config.lr_g, t.config.lr_d = Mapping1DConfig().lr_g, Mapping1DConfig().lr_d
    t.restore_last_good()
    assert t.status == "ok" and t.steps == t.last_good_step == 100
    assert np.all(np.isfinite(t.generate(100)))
    t.step(100)
    assert t.status == "ok"
