"""Models, settings and the training loop: shapes, determinism per seed, divergence guard."""
import numpy as np
import pytest
import torch

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.mnist import load_split
from gan_core.cgan.models import Discriminator, Generator
from gan_core.cgan.trainer import SNAPSHOT_ROWS, CGANTrainer, is_milestone


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


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
    bad = CGANConfig(lr_g=1.0, loss="magic", width=4, batch_size=0, ema=float("nan"), d_width=33, class_loss=-1.0)
    problems = bad.validate()
    assert set(problems) >= {"lr_g", "loss", "width", "batch_size", "ema", "d_width", "class_loss"}
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


def test_defaults_are_the_lectures_bce_with_d_as_a_probability(small_data):
    assert CGANConfig().loss == "nonsaturating"
    t = CGANTrainer(CGANConfig(seed=2), data=small_data)
    assert t.shows_probability
    t.step(5)
    probs = np.concatenate([t.history.column("d_real"), t.history.column("d_fake")])
    assert ((probs > 0) & (probs < 1)).all()
    # the first D(real) is sigmoid of the first real scores: recompute them is not possible after the
    # step, but an untrained D scores near 0, so its probability sits near 1/2
    assert abs(probs[0] - 0.5) < 0.2
    hinge = CGANTrainer(CGANConfig(seed=2, loss="hinge"), data=small_data)
    assert not hinge.shows_probability


def test_bce_losses_match_their_closed_forms():
    from gan_core.cgan.trainer import d_loss_fn, g_loss_fn
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    sig = torch.sigmoid
    expected_d = -(torch.log(sig(real)).mean() + torch.log(1 - sig(fake)).mean())
    assert d_loss_fn("nonsaturating", real, fake).item() == pytest.approx(expected_d.item(), rel=1e-6)
    assert g_loss_fn("nonsaturating", fake).item() == pytest.approx(-torch.log(sig(fake)).mean().item(), rel=1e-6)
    assert d_loss_fn("hinge", real, fake).item() == pytest.approx(((0 + 2) / 2) + ((1.5 + 0) / 2))


def test_class_head_learns_only_when_the_acgan_term_is_on(small_data):
    on = CGANTrainer(CGANConfig(seed=1, class_loss=1.0), data=small_data)
    off = CGANTrainer(CGANConfig(seed=1, class_loss=0.0), data=small_data)
    w_on, w_off = on.discriminator.classify.weight.clone(), off.discriminator.classify.weight.clone()
    on.step(3), off.step(3)
    assert not torch.equal(on.discriminator.classify.weight, w_on)
    assert torch.equal(off.discriminator.classify.weight, w_off)


def test_ema_generator_uses_the_current_batch_norm_statistics(small_data):
    t = CGANTrainer(CGANConfig(seed=1), data=small_data)
    t.step(4)
    assert t.generator.batch_norm
    for avg, cur in zip(t.ema_generator.buffers(), t.generator.buffers()):
        assert torch.equal(avg, cur)
    assert not t.ema_generator.training  # snapshots use running statistics: one z, one image


def test_architecture_table_follows_the_networks():
    from gan_core.cgan.models import architecture_table
    rows = architecture_table(latent_dim=8, width=4, d_width=16)
    g_rows = [r for r in rows if r["network"] == "G"]
    d_rows = [r for r in rows if r["network"] == "D"]
    assert [r["shape"] for r in g_rows] == [[18], [16, 7, 7], [8, 14, 14], [1, 28, 28]]
    assert [r["shape"] for r in d_rows][:3] == [[1, 28, 28], [8, 14, 14], [16, 7, 7]]
    assert sum(r["params"] for r in g_rows) == sum(p.numel() for p in Generator(8, 4).parameters())
    assert sum(r["params"] for r in d_rows) == sum(p.numel() for p in Discriminator(16).parameters())
    assert "transposed conv" in g_rows[2]["kind"] and "batch norm" in g_rows[1]["kind"]
    assert "batch norm" not in architecture_table(batch_norm=False)[1]["kind"]


def test_snapshot_image_draws_every_digit_at_projector_size(small_data):
    from gan_core.cgan.explorer import snapshot_image, to_uint8
    t = CGANTrainer(CGANConfig(), data=small_data)
    grid = t.snapshots[0]["grid"]
    image = snapshot_image(grid, rows=2, digit_px=56)
    gap = 4
    assert image.dtype == np.uint8 and image.shape == (2 * 56 + gap, 10 * 56 + 9 * gap)
    # digit (row 1, column 3) is the 28-px digit scaled x2 without blur
    tile_ = image[56 + gap:2 * 56 + gap, 3 * (56 + gap):3 * (56 + gap) + 56]
    assert np.array_equal(tile_[::2, ::2], to_uint8(grid[1, 3])) and np.array_equal(tile_[1::2, 1::2], to_uint8(grid[1, 3]))
    assert snapshot_image(grid, rows=1, digit_px=60).shape[0] == 84  # never below the asked size: 3 x 28


def test_early_step_marks_are_snapshotted_and_kept(small_data):
    from gan_core.cgan.trainer import STEP_MARKS
    t = CGANTrainer(CGANConfig(batch_size=250), data=small_data)  # 2 steps per epoch
    t.step(STEP_MARKS[1] + 3)
    steps = [s["step"] for s in t.snapshots]
    assert steps[0] == 0 and STEP_MARKS[0] in steps and STEP_MARKS[1] in steps
    assert len(t.snapshots) <= 24 and steps[-1] >= STEP_MARKS[1] + 2  # the latest epoch is there too


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (gan_core.device falls back to CPU)")
def test_trains_and_samples_on_cuda(small_data):
    from gan_core.device import resolve_device
    t = CGANTrainer(CGANConfig(seed=3), device=resolve_device("cuda"), data=small_data)
    assert t.step(5) == 5 and t.status == "ok"
    assert next(t.ema_generator.parameters()).is_cuda
    grid = t.sample_grid()
    assert grid.shape == (SNAPSHOT_ROWS, 10, 28, 28) and np.isfinite(grid).all()


def test_timeline_keeps_noise_and_the_latest_and_spreads_the_rest():
    from gan_core.cgan.trainer import timeline
    snaps = [{"step": s} for s in (0, 25, 50, 75, 100, 150, 200, 300, 500, 700)]
    picked = [s["step"] for s in timeline(snaps, 5)]
    assert picked[0] == 0 and picked[-1] == 700 and len(picked) == 5 and picked == sorted(picked)
    assert [s["step"] for s in timeline(snaps[:3], 5)] == [0, 25, 50]


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


def test_png_bytes_round_trip_exactly():
    import io

    from PIL import Image

    from gan_core.cgan.explorer import png_bytes
    image = (np.arange(56 * 30) % 256).astype(np.uint8).reshape(56, 30)
    data = png_bytes(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), image)
