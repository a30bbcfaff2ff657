"""TwoDTrainer: the API the mode-collapse lesson and the 2-D playground drive (determinism, separate D/G steps,
capped history, divergence, time budgets, looking without side effects)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gan_core.twod.config import TwoDConfig
from gan_core.twod.targets import MixtureTarget, PointsTarget
from gan_core.twod.trainer import TwoDTrainer

SMALL = TwoDConfig(noise_dim=4, g_width=16, d_width=16, batch_size=32, lr_g=2e-3, lr_d=2e-3)
RING = MixtureTarget(2.0 * np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], 1), 0.02)
Z = np.random.default_rng(9).normal(size=(50, 4))


def _trainer(**kw) -> TwoDTrainer:
    return TwoDTrainer(dataclasses.replace(SMALL, **kw), RING, record_every=5)


def test_same_seed_same_run_whatever_the_chunking_and_another_seed_differs():
    a, b, c = _trainer(seed=1), _trainer(seed=1), _trainer(seed=2)
    a.step(60)
    for n in (1, 7, 30, 22):
        b.step(n)
    c.step(60)
    assert np.array_equal(a.generate(Z), b.generate(Z))
    assert np.array_equal(a.history.column("g_loss"), b.history.column("g_loss"))
    assert not np.array_equal(a.generate(Z), c.generate(Z))


def test_looking_does_not_disturb_the_run():
    a, b = _trainer(mbstd=True), _trainer(mbstd=True)
    a.step(10)
    b.step(10)
    a.sample(100)
    a.discriminator(np.zeros((9, 2)))
    a.g_loss_gradient(a.sample(33))
    a.generate(Z)
    a.step(10)
    b.step(10)
    assert np.array_equal(a.generate(Z), b.generate(Z))


def test_discriminator_step_moves_only_d_and_generator_step_only_g():
    t = _trainer()
    g0, d0 = t.engine.G.flat.copy(), t.engine.D.flat.copy()
    t.step_discriminator()
    assert np.array_equal(t.engine.G.flat, g0) and not np.array_equal(t.engine.D.flat, d0)
    d1 = t.engine.D.flat.copy()
    t.step_generator()
    assert not np.array_equal(t.engine.G.flat, g0) and np.array_equal(t.engine.D.flat, d1)


def test_an_explicit_batch_is_used_as_given():
    a, b = _trainer(), _trainer()
    batch = a.sample_batch()
    a.step_discriminator(batch)
    b.step_discriminator(batch)
    a.step_generator(batch.z)
    b.step_generator(batch.z)
    assert np.array_equal(a.engine.G.flat, b.engine.G.flat) and np.array_equal(a.engine.D.flat, b.engine.D.flat)


def test_history_is_capped():
    t = TwoDTrainer(SMALL, RING, history_capacity=4, record_every=3,
                    metrics=lambda tr: {"spread": float(tr.sample(50).std())}, metric_names=("spread",))
    t.step(30)
    assert len(t.history) == 4 and t.history.total_recorded == 10
    assert t.history.column("step").tolist() == [21, 24, 27, 30]
    assert np.isfinite(t.history.column("spread")).all() and np.isfinite(t.history.column("d_loss")).all()


def test_divergence_pauses_and_the_last_good_state_comes_back():
    t = _trainer()
    t.step(200)  # snapshot at step 200
    good = t.generate(Z)
    t.engine.D.flat[:] = np.inf
    assert t.step(10) < 10
    assert t.status == "diverged" and "step 200" in t.message
    assert t.step(3) == 0 and t.run_for(0.01) == 0 and np.isnan(t.step_discriminator())
    t.restore_last_good()
    assert t.status == "ok" and t.steps == 200 and np.array_equal(t.generate(Z), good)
    assert t.step(5) == 5


def test_snapshot_and_restore_replay_the_same_future():
    t = _trainer(ema=0.9)
    t.step(20)
    snap = t.snapshot()
    t.step(30)
    after = t.generate(Z)
    t.restore(snap)
    assert t.steps == 20
    t.step(30)
    assert np.array_equal(t.generate(Z), after)


def test_run_for_never_rounds_a_tick_to_zero_steps_and_respects_its_cap():
    t = _trainer()
    assert t.run_for(0.0) >= 1
    assert t.run_for(1e-9) >= 1
    assert t.run_for(5.0, max_steps=9) == 9
    before, steps = t.seconds, t.steps
    done = t.run_for(0.05)
    assert done == t.steps - steps and done > 9
    assert 0.04 <= t.seconds - before < 1.0  # spends about its budget, in chunks sized from the measured step time


def test_g_loss_gradient_is_the_per_sample_derivative_of_g_loss():
    t = _trainer(loss="least_squares")
    t.step(20)
    pts = t.sample(6)
    g = t.g_loss_gradient(pts)
    h = 1e-3
    for i in range(3):
        for j in range(2):
            up, down = pts.copy(), pts.copy()
            up[i, j] += h
            down[i, j] -= h
            o_up, o_down = t.discriminator_raw(up)[i], t.discriminator_raw(down)[i]
            num = (0.5 * (o_up - 1) ** 2 - 0.5 * (o_down - 1) ** 2) / (2 * h)
            assert g[i, j] == pytest.approx(num, rel=2e-2, abs=1e-4)


def test_outputs_have_the_documented_shapes_and_ranges():
    for loss, kind in (("nonsaturating", "probability"), ("wgan_gp", "score")):
        t = _trainer(loss=loss, pack=2, mbstd=True, noise="uniform")
        t.step(3)
        assert t.d_output_kind == kind
        d = t.discriminator(np.random.default_rng(0).normal(size=(11, 2)))
        assert d.shape == (11,)
        if kind == "probability":
            assert ((d > 0) & (d < 1)).all()
        assert t.g_loss_gradient(t.sample(7)).shape == (7, 2)  # odd count with packs of 2: padded
        z = t.sample_noise(1000)
        assert z.shape == (1000, 4) and z.min() >= -1 and z.max() <= 1


def test_numpy_and_torch_engines_follow_the_same_run():
    cfg = dataclasses.replace(SMALL, mbstd=True, r1_gamma=0.5, ema=0.9)
    a = TwoDTrainer(cfg, RING, engine="numpy", dtype=np.float64)
    b = TwoDTrainer(cfg, RING, engine="torch", dtype=np.float64)
    a.step(25)
    b.step(25)
    np.testing.assert_allclose(a.generate(Z), b.generate(Z), rtol=1e-7, atol=1e-9)


def test_a_drawing_is_data_and_bad_drawings_are_refused():
    t = TwoDTrainer(SMALL, np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]]))
    assert t.step(3) == 3
    for bad, words in ((np.zeros((0, 2)), "non-empty"), (np.zeros((3, 3)), "(N, 2)"),
                       (np.array([[0.0, np.nan]]), "finite")):
        with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
            TwoDTrainer(SMALL, bad)
    with pytest.raises(ValueError, match="Loss"):
        TwoDTrainer(dataclasses.replace(SMALL, loss="hinge"), RING)
    assert PointsTarget(np.ones((4, 2)), jitter=0.1).sample(5, np.random.default_rng(0)).shape == (5, 2)


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="no CUDA device here")
def test_the_torch_engine_on_cuda_follows_the_cpu_run():
    cfg = dataclasses.replace(SMALL, mbstd=True, pack=2, loss="wgan_gp")
    a = TwoDTrainer(cfg, RING, engine="numpy", dtype=np.float64)
    b = TwoDTrainer(cfg, RING, engine="torch", dtype=np.float64, device="cuda")
    a.step(10)
    b.step(10)
    np.testing.assert_allclose(a.generate(Z), b.generate(Z), rtol=1e-6, atol=1e-8)
