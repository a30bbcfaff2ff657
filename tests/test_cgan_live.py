"""Refresh: how often the live "Now" grid is redrawn — after enough training and wall time, never twice for
the same step count, and never older than max_wall while training moves on (a full class)."""
from gan_core.cgan.live import Refresh


def test_the_first_tick_draws_and_the_same_step_count_never_draws_again():
    r = Refresh(min_wall=0.75, min_train=0.2, max_wall=3.0)
    assert r.due(0, 0.0, 100.0)
    r.mark(0, 0.0, 100.0)
    assert not r.due(0, 0.0, 1000.0)  # nothing trained: the same picture, however long


def test_alone_it_redraws_once_min_wall_passed_with_enough_training():
    r = Refresh(min_wall=0.75, min_train=0.2, max_wall=3.0)
    r.mark(10, 1.0, 0.0)
    assert not r.due(40, 1.5, 0.5)  # trained 0.5 s but only 0.5 s of wall time
    assert r.due(40, 1.5, 0.75)


def test_a_session_that_trains_little_redraws_every_max_wall():
    # a full class: 0.05 s of training per wall second, so min_train (0.2 s) would take 4 s; max_wall (3 s)
    # comes first. Ticks every 0.1 s, each with a new step, for 12 s after the first picture.
    r = Refresh(min_wall=0.75, min_train=0.2, max_wall=3.0)
    r.mark(0, 0.0, 0.0)
    draws = []
    for tick in range(1, 121):
        now = tick / 10
        if r.due(tick, 0.05 * now, now):
            r.mark(tick, 0.05 * now, now)
            draws.append(tick)
    assert draws == [30, 60, 90, 120]


def test_min_train_paces_a_session_alone_between_min_wall_and_max_wall():
    # 0.1 s of training per wall second: 0.2 s of training takes 2 s of wall time
    r = Refresh(min_wall=0.75, min_train=0.2, max_wall=3.0)
    r.mark(0, 0.0, 0.0)
    assert not r.due(5, 0.19, 1.9)
    assert r.due(5, 0.2, 2.0)


def test_the_live_chart_is_one_element_over_one_dataset_of_the_history():
    import numpy as np
    import torch

    from gan_core.cgan import figures
    from gan_core.cgan.mnist import Digits, load_split
    from gan_core.cgan.trainer import CGANTrainer
    from gan_core.vega import read_arrow

    torch.set_num_threads(1)
    train, _ = load_split()
    idx = np.arange(0, len(train), 20)
    trainer = CGANTrainer(data=Digits(train.images[idx], train.labels[idx], train.source))
    trainer.step(3)
    spec = figures.live_curves(trainer)
    assert list(spec["datasets"]) == ["cgan_live"]
    assert [v["data"] for v in spec["vconcat"]] == [{"name": "cgan_live"}] * 2
    data = read_arrow(spec["datasets"]["cgan_live"])
    assert list(data["step"]) == [1, 2, 3]
    assert data["D loss"].iloc[-1] == np.float32(trainer.history.last("d_loss"))
    assert data["D(real)"].iloc[-1] == np.float32(trainer.history.last("d_real"))


def test_the_live_chart_spec_is_one_object_per_loss_kind_without_data():
    """ui/charts.py JSON-encodes a spec once per object: the page must pass the same object every tick."""
    from gan_core.cgan import figures

    bce, hinge = figures.live_curves_spec(True), figures.live_curves_spec(False)
    assert figures.live_curves_spec(True) is bce and bce is not hinge
    assert "datasets" not in bce and "datasets" not in hinge
    assert bce["vconcat"][0]["encoding"]["y"]["scale"] == {"domain": [0, 1]}  # probabilities
    assert "domain" not in hinge["vconcat"][0]["encoding"]["y"]["scale"]  # raw scores
