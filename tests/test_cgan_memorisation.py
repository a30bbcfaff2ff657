"""Memorisation check: nearest training digit, its distance, and the real-to-real scale."""
import numpy as np
import pytest

from gan_core.cgan.memorisation import nearest_training_digits, typical_real_distance, verdict
from gan_core.cgan.mnist import Digits, load_split


@pytest.fixture(scope="module")
def split():
    train, held = load_split()
    idx = np.arange(0, len(train), 5)  # 900 training digits keep it quick
    return Digits(train.images[idx], train.labels[idx], train.source), held


def test_a_copied_training_digit_is_found_at_distance_zero(split):
    train, _ = split
    found = nearest_training_digits(train.images[[17, 300]], train)
    assert [n.index for n in found] == [17, 300]
    assert all(n.distance == pytest.approx(0, abs=1e-5) for n in found)
    assert found[0].label == train.labels[17] and np.array_equal(found[0].image, train.images[17])


def test_a_slightly_changed_digit_finds_its_original_at_the_right_distance(split):
    train, _ = split
    noisy = train.images[42].copy()
    noisy[10:12, 10:12] += 0.3  # four pixels brighter by 0.3: L2 distance exactly 0.6
    (n,) = nearest_training_digits(noisy[None], train)
    assert n.index == 42 and n.distance == pytest.approx(0.6, abs=1e-4)


def test_same_class_limits_the_search(split):
    train, _ = split
    one = train.images[np.flatnonzero(train.labels == 1)[0]]
    (n,) = nearest_training_digits(one[None], train, same_class=7)
    assert n.label == 7 and n.distance > 0


def test_real_to_real_scale_and_verdicts(split):
    train, held = split
    scale = typical_real_distance(train, held)
    assert 0 < scale["p10"] <= scale["median"] <= scale["p90"] and scale["count"] == len(held)
    assert "copied" in verdict(0.0, scale)
    assert "Not a copy" in verdict(scale["median"], scale)
    assert "1.00×" in verdict(scale["median"], scale)


def test_judge_metric_needs_the_judge_and_bad_metrics_are_named(split):
    train, _ = split
    with pytest.raises(ValueError, match="judge"):
        nearest_training_digits(train.images[:1], train, metric="judge")
    with pytest.raises(ValueError, match="pixel"):
        nearest_training_digits(train.images[:1], train, metric="cosine")


def test_judge_feature_distance_finds_the_digit_itself(split):
    from gan_core.cgan import checkpoint
    train, held = split
    judge = checkpoint.load_judge()[0]
    (n,) = nearest_training_digits(train.images[[5]], train, metric="judge", judge=judge)
    assert n.index == 5 and n.distance == pytest.approx(0, abs=1e-3)
    scale = typical_real_distance(train, held, metric="judge", judge=judge)
    assert scale["metric"] == "judge" and scale["median"] > 0


def test_summary_flags_a_generator_that_copies(split):
    import torch
    train, held = split

    class Copier(torch.nn.Module):  # "generates" training digits verbatim
        latent_dim = 2

        def forward(self, z, labels):
            idx = torch.arange(len(z)) % len(train)
            return torch.from_numpy(train.images[idx.numpy()] * 2 - 1).unsqueeze(1)

    from gan_core.cgan.memorisation import memorisation_summary
    s = memorisation_summary(Copier(), train, held, n_per_class=5)
    assert s["generated_median"] == pytest.approx(0, abs=1e-4) and s["share_looking_copied"] == 1.0
    assert s["real_median"] > 0 and s["samples"] == 50


def test_a_reused_index_gives_the_same_answers(split):
    from gan_core.cgan.memorisation import TrainingIndex
    train, held = split
    index = TrainingIndex(train)
    a = index.nearest(held.images[:7])
    b = nearest_training_digits(held.images[:7], train)
    assert [(n.index, round(n.distance, 6)) for n in a] == [(n.index, round(n.distance, 6)) for n in b]
    brute = np.sqrt(((train.images.reshape(len(train), -1)[None] - held.images[:7].reshape(7, 1, -1)) ** 2).sum(-1))
    assert [n.index for n in a] == brute.argmin(1).tolist()
    np.testing.assert_allclose([n.distance for n in a], brute.min(1), rtol=1e-5)
