"""Judge and metrics: closed forms, a sanity check of the judge on held-out real digits, and the
shipped generator's conditional accuracy on a small sample."""
import numpy as np
import pytest
import torch

from gan_core.cgan import checkpoint
from gan_core.cgan.explorer import LatentExplorer, latent_influence, tile
from gan_core.cgan.judge import accuracy, random_shift
from gan_core.cgan.metrics import frechet_distance, mean_pairwise_distance, sample_digits
from gan_core.cgan.mnist import load_split


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def judge():
    return checkpoint.load_judge()[0]


@pytest.fixture(scope="module")
def generator():
    return checkpoint.load_generator()[0]


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    # a pure shift by c adds |c|^2; a scale by s adds 3 (s - 1)^2 for an identity covariance
    assert frechet_distance(a, a + np.array([1.0, 2.0, 0.0])) == pytest.approx(5.0, rel=1e-6)
    assert frechet_distance(a, 2 * a - 2 * a.mean(0) + a.mean(0)) == pytest.approx(
        np.trace(np.cov(a, rowvar=False)) * 1.0, rel=0.05)


def test_mean_pairwise_distance_closed_form():
    pts = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    assert mean_pairwise_distance(pts) == pytest.approx((3 + 4 + 5) / 3)
    assert mean_pairwise_distance(np.ones((10, 4))) == pytest.approx(0.0)  # a collapsed set has none


def test_judge_reads_held_out_real_digits(judge):
    _, held = load_split()
    assert accuracy(judge, held.images, held.labels) >= 0.95


def test_random_shift_moves_pixels_without_changing_ink():
    x = torch.zeros(4, 1, 28, 28)
    x[:, :, 10:18, 10:18] = 1.0
    shifted = random_shift(x, torch.Generator().manual_seed(0))
    assert shifted.shape == x.shape
    assert torch.allclose(shifted.sum((1, 2, 3)), x.sum((1, 2, 3)))


def test_shipped_generator_draws_the_requested_digits(generator, judge):
    images = np.concatenate([sample_digits(generator, d, 50, seed=d) for d in range(10)])
    labels = np.repeat(np.arange(10), 50)
    assert accuracy(judge, images, labels) >= 0.97  # the explorer shows clean digits


def test_shipped_generator_varies_within_each_digit(generator, judge):
    # no mode collapse inside a class: judge-feature spread of 100 samples per digit vs real digits
    from gan_core.cgan.metrics import evaluate
    q = evaluate(generator, judge, n_per_class=100, seed=3)
    assert q["diversity_ratio"] >= 0.85 and q["min_class_diversity_ratio"] >= 0.75


def test_samples_are_mnist_shaped_and_deterministic_per_seed(generator):
    a = sample_digits(generator, 7, 6, seed=11)
    assert a.shape == (6, 28, 28) and a.dtype == np.float32
    assert 0.0 <= a.min() and a.max() <= 1.0
    assert np.median(a[:, 0, :]) < 0.05  # MNIST polarity: dark background
    assert np.array_equal(a, sample_digits(generator, 7, 6, seed=11))
    assert not np.array_equal(a, sample_digits(generator, 7, 6, seed=12))


def test_explorer_renders_one_z_for_all_ten_digits(generator):
    explorer = LatentExplorer(generator, scale=10, row_scale=3)
    z = np.zeros(generator.latent_dim, np.float32)
    big, row = explorer.render(z, 4)
    ten = explorer.ten_digits(z)
    assert big.shape == (280, 280) and big.dtype == np.uint8
    assert np.array_equal(big[::10, ::10], ten[4])
    assert np.array_equal(row, np.repeat(np.repeat(tile(ten, 2, 5), 3, 0), 3, 1))
    z2 = z.copy()
    z2[0] = 2.0
    assert not np.array_equal(explorer.render(z2, 4)[0], big)


def test_interpolation_ends_at_both_endpoints(generator):
    explorer = LatentExplorer(generator, row_scale=1)
    rng = np.random.default_rng(1)
    z0, z1 = rng.standard_normal((2, generator.latent_dim)).astype(np.float32)
    strip = explorer.interpolate(z0, z1, 2, 5, steps=5)
    assert strip.shape == (28, 5 * 28 + 4 * 2)
    assert np.array_equal(strip[:, :28], explorer.ten_digits(z0)[2])
    assert np.abs(strip[:, -28:].astype(int) - explorer.ten_digits(z1)[5]).max() <= 1


def test_latent_influence_ranks_every_dimension(generator):
    infl = latent_influence(generator, n=4)
    assert infl.shape == (generator.latent_dim,) and (infl > 0).all()
    assert np.array_equal(infl, latent_influence(generator, n=4))


def test_quick_conditional_accuracy_agrees_with_the_judge_on_the_same_samples(generator, judge):
    from gan_core.cgan.metrics import conditional_accuracy, generate
    quick = conditional_accuracy(generator, judge, n_per_class=10, seed=4)
    z = torch.randn(100, generator.latent_dim, generator=torch.Generator().manual_seed(4))
    labels = torch.arange(10).repeat_interleave(10)
    assert quick == accuracy(judge, generate(generator, z, labels), labels.numpy())
    assert quick >= 0.9


def test_judge_readout_measures_once_per_interval_and_remembers_the_first_goal(generator, judge, monkeypatch):
    from gan_core.cgan import metrics
    calls = []
    real = metrics.conditional_accuracy
    monkeypatch.setattr(metrics, "conditional_accuracy", lambda *a, **k: calls.append(1) or real(*a, **k))
    readout = metrics.JudgeReadout(judge, n_per_class=5, every_seconds=1.0)
    first = readout.update(generator, steps=10, seconds=0.5)
    assert first >= 0.9 and readout.first == (10, 0.5) and len(calls) == 1
    assert readout.update(generator, steps=12, seconds=1.2) == first and len(calls) == 1  # not due yet
    readout.update(generator, steps=20, seconds=1.6)
    assert len(calls) == 2 and readout.steps == 20 and readout.first == (10, 0.5)
