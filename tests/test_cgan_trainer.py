"""Models, settings and the training loop: shapes, determinism per seed, divergence guard."""
import numpy as np
import pytest
import torch

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.mnist import load_split
from gan_core.cgan.models import Discriminator, Generator
from gan_core.cgan.trainer import SNAPSHOT_ROWS, CGANTrainer, is_milestone


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


def test_shift_each_moves_every_digit_by_its_own_offset():
    from gan_core.cgan.trainer import shift_each
    gen = torch.Generator().manual_seed(0)
    x = torch.zeros(64, 1, 28, 28)
    x[:, 0, 14, 14] = 1.0  # one lit pixel in the centre of every image
    out = shift_each(x, gen, max_shift=2)
    assert out.shape == x.shape and torch.equal(out.sum((1, 2, 3)), x.sum((1, 2, 3)))  # nothing lost at ±2
    where = out[:, 0].flatten(1).argmax(1)
    dy, dx = where // 28 - 14, where % 28 - 14
    assert dy.abs().max() <= 2 and dx.abs().max() <= 2
    assert len(set(zip(dy.tolist(), dx.tolist()))) > 5  # different digits, different offsets
    assert torch.equal(shift_each(x, gen, max_shift=0), x)


def test_mode_seeking_penalty_is_the_inverse_distance_ratio():
    from gan_core.cgan.trainer import mode_seeking_penalty
    z = torch.zeros(4, 3)
    z[2:] = 2.0  # |z1 - z2| = 2 per coordinate for both pairs
    fake = torch.zeros(4, 1, 2, 2)
    fake[2] = 1.0  # pair 0: image distance 1 per pixel; pair 1: identical images
    expected = 1 / (((1 / 2) + 0) / 2 + 1e-5)
    assert mode_seeking_penalty(fake, z, 2).item() == pytest.approx(expected)
    # a generator that ignores z is punished hard; a varied one much less
    assert mode_seeking_penalty(torch.zeros(4, 1, 2, 2), z, 2).item() > 1e4


def test_mode_seeking_pairs_share_labels_and_stays_deterministic(small_data):
    cfg = dict(seed=5, mode_seeking=0.1, augment_per_digit=True)
    a, b = CGANTrainer(CGANConfig(**cfg), data=small_data), CGANTrainer(CGANConfig(**cfg), data=small_data)
    seen = []
    original = a.generator.forward
    a.generator.forward = lambda z, y: (seen.append(y.clone()), original(z, y))[1]
    assert a.step(3) == 3 and b.step(3) == 3
    assert torch.equal(_weights(a), _weights(b))
    half = a.config.batch_size // 2
    assert all(torch.equal(y[:half], y[half:]) for y in seen)
    plain = CGANTrainer(CGANConfig(seed=5, mode_seeking=0.0), data=small_data)
    plain.step(3)
    assert not torch.equal(_weights(a), _weights(plain))
    assert "mode_seeking" in CGANConfig(mode_seeking=-1.0).validate()


def test_milestone_epochs_are_roughly_log_spaced():
    milestones = [e for e in range(20_000) if is_milestone(e)]
    assert milestones[:12] == [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30]
    assert {150, 1500, 15_000} <= set(milestones) and not {7, 9, 11, 16, 25, 1600} & set(milestones)
    for decade in (10, 100, 1000):  # m·10^k for m in 1, 1.5, 2, 3, 4, 6, 8: seven per decade
        assert [e for e in milestones if decade <= e < 10 * decade] == [
            int(m * decade) for m in (1, 1.5, 2, 3, 4, 6, 8)]


def test_reset_with_a_new_seed_leaves_the_callers_config_alone(small_data):
    config = CGANConfig(seed=3, batch_size=16)
    trainer = CGANTrainer(config, data=small_data)
    trainer.reset(seed=7)
    assert trainer.config.seed == 7 and config.seed == 3
