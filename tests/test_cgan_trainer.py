"""Models, settings and the training loop: shapes, determinism per seed, divergence guard."""
import numpy as np
import pytest
import torch

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.mnist import load_split
from gan_core.cgan.models import Discriminator, Generator
from gan_core.cgan.trainer import SNAPSHOT_ROWS, CGANTrainer


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # small nets: thread overhead dominates
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def small_data():
    train, _ = load_split()
    idx = np.arange(0, len(train), 9)  # 500 digits keep each test to a fraction of a second
    from gan_core.cgan.mnist import Digits
    return Digits(train.images[idx], train.labels[idx], train.source)


def test_generator_and_discriminator_shapes():
    g, d = Generator(8, 16), Discriminator(16)
    z = torch.randn(5, 8)
    y = torch.tensor([0, 1, 2, 3, 9])
    x = g(z, y)
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert d(x, y).shape == (5,)
    # label weights: a one-hot row gives exactly the class-index output
    assert torch.allclose(g(z, torch.eye(10)[y]), x)


def test_config_validation_messages():
    assert CGANConfig().validate() == {}
    bad = CGANConfig(lr_g=1.0, loss="magic", width=33, batch_size=0, ema=float("nan"))
    problems = bad.validate()
    assert set(problems) >= {"lr_g", "loss", "width", "batch_size", "ema"}
    assert "between" in problems["lr_g"] and "hinge" in problems["loss"]
    with pytest.raises(ValueError, match="lr_g"):
        CGANTrainer(CGANConfig(lr_g=1.0), data=None)


def _weights(trainer):
    return torch.cat([p.detach().flatten() for p in trainer.ema_generator.parameters()])


def test_same_seed_same_run_different_seed_different_run(small_data):
    a = CGANTrainer(CGANConfig(seed=3), data=small_data)
    b = CGANTrainer(CGANConfig(seed=3), data=small_data)
    c = CGANTrainer(CGANConfig(seed=4), data=small_data)
    for t in (a, b, c):
        assert t.step(4) == 4
    assert torch.equal(_weights(a), _weights(b))
    assert not torch.equal(_weights(a), _weights(c))
    assert a.history.column("d_loss").tolist() == b.history.column("d_loss").tolist()
    a.reset(3)
    a.step(4)
    assert torch.equal(_weights(a), _weights(b))


def test_snapshots_start_from_noise_and_follow_epochs(small_data):
    t = CGANTrainer(CGANConfig(batch_size=100), data=small_data)  # 5 steps per epoch
    assert len(t.snapshots) == 1 and t.snapshots[0]["epoch"] == 0
    t.step(11)
    assert [s["epoch"] for s in t.snapshots] == [0, 1, 2]
    grid = t.sample_grid()
    assert grid.shape == (SNAPSHOT_ROWS, 10, 28, 28) and 0 <= grid.min() and grid.max() <= 1
    assert len(t.history) == 11 and t.history.last("step") == 11


def test_non_finite_loss_pauses_and_restore_brings_back_the_last_good_weights(small_data):
    t = CGANTrainer(CGANConfig(), data=small_data)
    initial = _weights(t).clone()  # the guard keeps a copy every 50 steps, the first at step 0
    t.step(3)
    with torch.no_grad():
        t.discriminator.score.parametrizations.weight.original.fill_(float("nan"))
    done = t.step(5)
    assert done == 0 and t.status == "diverged" and "non-finite" in t.message
    assert t.step(5) == 0  # stays paused
    assert t.restore_last_good()
    assert t.status == "ok" and t.steps == 0
    assert torch.equal(_weights(t), initial)
    assert t.step(2) == 2 and torch.isfinite(_weights(t)).all()
