"""ModeCollapseTrainer: determinism per seed, capped history, remedies run, divergence handling, a short sanity run."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from gan_core.mode_collapse.config import REMEDIES, ModeCollapseConfig
from gan_core.mode_collapse.figures import build_live_figures
from gan_core.mode_collapse.trainer import ModeCollapseTrainer

torch.set_num_threads(1)
SMALL = dict(batch_size=32, width=32)


def test_same_seed_gives_the_same_run_and_another_seed_a_different_one():
    a = ModeCollapseTrainer(ModeCollapseConfig(seed=3, **SMALL), eval_every=10)
    b = ModeCollapseTrainer(ModeCollapseConfig(seed=3, **SMALL), eval_every=10)
    c = ModeCollapseTrainer(ModeCollapseConfig(seed=4, **SMALL), eval_every=10)
    for t in (a, b, c):
        t.step(40)
    assert np.array_equal(a.samples, b.samples)
    assert np.array_equal(a.history.column("d_loss"), b.history.column("d_loss"), equal_nan=True)
    assert not np.array_equal(a.samples, c.samples)
    a.reset()
    a.step(40)
    assert np.array_equal(a.samples, b.samples)  # reset replays the same run


def test_drawing_does_not_change_the_run():
    a = ModeCollapseTrainer(ModeCollapseConfig(seed=1, **SMALL), eval_every=10)
    b = ModeCollapseTrainer(ModeCollapseConfig(seed=1, **SMALL), eval_every=10)
    a.step(20)
    b.step(20)
    figs = build_live_figures(a)
    assert {"scatter", "per_mode", "modes", "quality", "rkl", "losses"} <= set(figs)
    assert len(figs["scatter"]["datasets"]["surface"]) <= 40 * 40
    a.step(20)
    b.step(20)
    assert np.array_equal(a.samples, b.samples)


def test_spec_is_identical_between_ticks_only_datasets_change():
    t = ModeCollapseTrainer(ModeCollapseConfig(**SMALL), eval_every=10)
    first = {k: {kk: vv for kk, vv in v.items() if kk != "datasets"} for k, v in build_live_figures(t).items()}
    t.step(20)
    second = {k: {kk: vv for kk, vv in v.items() if kk != "datasets"} for k, v in build_live_figures(t).items()}
    assert first == second


def test_history_is_capped_and_records_every_eval():
    t = ModeCollapseTrainer(ModeCollapseConfig(**SMALL), history_capacity=5, eval_every=2)
    t.step(30)
    assert len(t.history) == 5 and t.history.total_recorded == 16  # initial row + 15 evaluations
    assert t.history.column("step").tolist() == [22, 24, 26, 28, 30]
    assert all(math.isfinite(v) for v in t.history.column("d_loss"))


@pytest.mark.parametrize("remedy", list(REMEDIES))
def test_every_remedy_trains_and_is_deterministic(remedy):
    cfg = ModeCollapseConfig(remedy=remedy, seed=2, unroll=2, **SMALL)
    a, b = ModeCollapseTrainer(cfg, eval_every=5), ModeCollapseTrainer(cfg, eval_every=5)
    assert a.step(10) == 10 and b.step(10) == 10
    assert a.status == "ok" and np.array_equal(a.samples, b.samples)
    xs, ys, d = a.decision_surface(12)
    assert d.shape == (144,) and ((d >= 0) & (d <= 1)).all()
    if remedy == "pack":
        assert a.D.inp.in_features == 2 * cfg.pack


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError, match="(?i)pack size"):
        ModeCollapseTrainer(ModeCollapseConfig(remedy="pack", pack=9))


def test_divergence_is_detected_and_last_good_state_restored():
    t = ModeCollapseTrainer(ModeCollapseConfig(**SMALL), eval_every=10)
    t.step(200)  # a snapshot is taken at step 200
    good = t.samples.copy()
    with torch.no_grad():
        t.G.net[-1].weight.fill_(float("nan"))
    assert t.step(20) < 20
    assert t.status == "diverged" and "step 200" in t.message
    t.restore_last_good()
    assert t.status == "ok" and t.steps == 200
    assert np.array_equal(t.samples, good)


def test_run_for_respects_its_step_cap():
    t = ModeCollapseTrainer(ModeCollapseConfig(**SMALL))
    assert t.run_for(10.0, max_steps=7) == 7 and t.steps == 7


def _visited(report) -> int:
    """Modes that at least 1/32 of all samples are nearest to (on-mode or not)."""
    return int((report.nearest >= report.n / 32).sum())


def test_the_default_plain_gan_collapses_onto_one_or_two_modes_and_hops():
    # The lesson's key picture (measured in docs/mode_collapse.md): with the defaults, at every measurement
    # nearly all samples sit near 1-2 modes, and the favourite mode changes over time.
    t = ModeCollapseTrainer(ModeCollapseConfig(seed=0))
    assert t.config.remedy == "none"
    favourites = set()
    for _ in range(4):
        t.step(500)
        assert t.report.top2_share >= 0.9 and _visited(t.report) <= 2
        favourites.add(t.report.favourite)
    assert len(favourites) >= 2


def test_the_minibatch_std_remedy_spreads_over_the_ring():
    # Same settings, remedy mbstd: G's samples move out from a blob at the origin onto the ring of radius 2,
    # spread over (nearly) all 8 modes, and start landing on them (within 3σ of a centre).
    t = ModeCollapseTrainer(ModeCollapseConfig(seed=0, remedy="mbstd"))
    before = np.median(np.linalg.norm(t.samples, axis=1))
    t.step(3000)
    after = np.median(np.linalg.norm(t.samples, axis=1))
    assert before < 1.0 and 1.6 < after < 2.4
    assert t.report.top2_share < 0.5 and _visited(t.report) >= 6
    assert t.report.high_quality > 0.01


def test_unrolled_d_is_differentiable_through_its_lookahead_steps():
    # Second-order unrolling (Metz et al.): the future D's score of a FIXED point depends on G, because G's
    # samples shaped D's k lookahead steps. D's own weights are left untouched by the lookahead.
    t = ModeCollapseTrainer(ModeCollapseConfig(remedy="unrolled", unroll=2, seed=0, **SMALL))
    t.step(3)
    before = {k: v.clone() for k, v in t.D.state_dict().items()}
    future_d = t._unrolled_d()
    score = future_d(torch.tensor([[2.0, 0.0], [0.0, 2.0]])).sum()
    grads = torch.autograd.grad(score, list(t.G.parameters()), allow_unused=True)
    assert any(g is not None and float(g.abs().sum()) > 0 for g in grads)
    assert all(torch.equal(before[k], v) for k, v in t.D.state_dict().items())


def test_reset_with_a_seed_is_the_same_as_a_fresh_run_with_that_seed():
    cfg = ModeCollapseConfig(seed=1, **SMALL)
    t = ModeCollapseTrainer(cfg, eval_every=5)
    t.step(5)
    t.reset(seed=4)
    fresh = ModeCollapseTrainer(dataclasses.replace(cfg, seed=4), eval_every=5)
    t.step(5), fresh.step(5)
    assert t.config.seed == 4 and cfg.seed == 1 and np.array_equal(t.samples, fresh.samples)
