"""The explorer's latent state without the page: slider grid, seeded draws, the model's slider order, and a
trained model that training on never changes."""
import numpy as np
import pytest
import torch

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import grid_image
from gan_core.cgan.latent import (LoadedModel, on_slider_grid, random_latent, target_latent, trained_model,
                                  with_zeros)
from gan_core.cgan.mnist import Digits, load_split
from gan_core.cgan.models import Generator
from gan_core.cgan.trainer import CGANTrainer


def test_z_lands_on_the_slider_grid_within_three():
    z = on_slider_grid(np.array([0.024, 0.026, -1.2749, 7.0, -9.0]))
    assert z.dtype == np.float32
    assert z == pytest.approx([0.0, 0.05, -1.25, 3.0, -3.0], abs=1e-6)


def test_draws_repeat_per_seed_and_click_and_stay_within_the_limit():
    a, b = random_latent(0, 1, 16, 2.0), random_latent(0, 1, 16, 2.0)
    assert np.array_equal(a, b) and np.abs(a).max() <= 2.0
    assert not np.array_equal(a, random_latent(0, 2, 16, 2.0))
    assert not np.array_equal(a, random_latent(1, 1, 16, 2.0))
    t = target_latent(0, 1, 16)
    assert t.dtype == np.float32 and np.abs(t).max() <= 3.0
    assert not np.allclose(np.clip(t, -2, 2), a)  # its own stream, not Random z's
    assert np.array_equal(t, target_latent(0, 1, 16))


def test_with_zeros_copies_and_zeroes_only_the_given_dims():
    z = np.arange(1, 6, dtype=np.float32)
    out = with_zeros(z, [1, 3])
    assert out.tolist() == [1, 0, 3, 0, 5] and z.tolist() == [1, 2, 3, 4, 5]


def test_a_model_ranks_its_dims_by_influence_and_reads_its_slider_range():
    torch.manual_seed(0)
    g = Generator(8, 8).eval()
    model = LoadedModel(g, {"prior": {"std": 0.5, "slider_range": 3.0}}, "x", "id")
    assert model.range == pytest.approx(1.5)
    shown, hidden = model.split(3)
    assert len(shown) == 3 and sorted(shown + hidden) == list(range(8))
    ranked = model.influence[shown + hidden]
    assert all(ranked[i] >= ranked[i + 1] for i in range(7))


def test_a_trained_model_is_a_frozen_copy_of_the_ema_generator():
    torch.set_num_threads(1)
    train, _ = load_split()
    idx = np.arange(0, len(train), 9)
    trainer = CGANTrainer(CGANConfig(seed=3), data=Digits(train.images[idx], train.labels[idx], train.source))
    trainer.step(3)
    model = trained_model(trainer)
    before = [p.clone() for p in model.generator.parameters()]
    trainer.step(3)
    assert all(torch.equal(a, b) for a, b in zip(before, model.generator.parameters()))
    assert not any(p.requires_grad for p in model.generator.parameters())
    assert model.meta["steps"] == 3 and model.meta["seed"] == 3 and "3 steps" in model.name


def test_grid_image_tiles_rows_and_columns_at_the_asked_scale():
    grid = np.zeros((2, 3, 28, 28))
    grid[1, 2] = 1.0  # the last digit white
    img = grid_image(grid, 2)
    assert img.dtype == np.uint8 and img.shape == ((2 * 28 + 2) * 2, (3 * 28 + 2 * 2) * 2)  # 2-px gaps, then upscaled
    assert (img[-56:, -56:] == 255).all() and (img[:56, :56] == 0).all()
