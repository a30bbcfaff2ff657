"""The optimised training step trains what the plain loop trains: N steps of CGANTrainer against
gan_core.cgan.reference (the loop as first written) from the same seed, for several settings."""
import dataclasses

import numpy as np
import pytest
import torch

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.mnist import Digits, load_split
from gan_core.cgan.reference import ReferenceTrainer, reference_shift_each
from gan_core.cgan.trainer import CGANTrainer, shift_each


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def small_data():
    train, _ = load_split()
    idx = np.arange(0, len(train), 9)
    return Digits(train.images[idx], train.labels[idx], train.source)


def _state(t):
    return {**{f"g.{k}": v for k, v in t.generator.state_dict().items()},
            **{f"d.{k}": v for k, v in t.discriminator.state_dict().items()},
            **{f"ema.{k}": v for k, v in t.ema_generator.state_dict().items()}}


CONFIGS = {
    "defaults": CGANConfig(seed=2),
    "hinge, whole-batch shift": CGANConfig(seed=3, loss="hinge", augment_per_digit=False),
    "plain CGAN, no mode seeking, no batch norm": CGANConfig(seed=4, class_loss=0.0, mode_seeking=0.0,
                                                             batch_norm=False, ema=0.0),
    "no augment, odd batch": CGANConfig(seed=5, augment=False, batch_size=27, width=16, d_width=16),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimised_step_trains_what_the_reference_loop_trains(small_data, name):
    config = CONFIGS[name]
    fast, ref = CGANTrainer(config, data=small_data), ReferenceTrainer(config, data=small_data)
    assert fast.step(8) == ref.step(8) == 8
    a, b = _state(fast), _state(ref)
    assert a.keys() == b.keys()
    for key in a:  # float rounding apart (Adam's foreach kernels), nothing else: 8 steps amplify any real drift
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-5, msg=f"{name}: {key}")
    for series in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose(fast.history.column(series), ref.history.column(series), rtol=1e-4, atol=1e-6)


def test_reference_comparison_can_fail(small_data):
    """The comparison above notices a small real change of the maths: G's learning rate 1 % higher."""
    config = CONFIGS["defaults"]
    fast = CGANTrainer(dataclasses.replace(config, lr_g=config.lr_g * 1.01), data=small_data)
    ref = ReferenceTrainer(config, data=small_data)
    fast.step(8), ref.step(8)
    a, b = _state(fast), _state(ref)
    assert any(not torch.allclose(a[k], b[k], rtol=1e-4, atol=1e-5) for k in a if k.startswith("g."))


def test_shift_each_matches_indexing_values_and_gradients():
    x = torch.randn(16, 1, 28, 28, requires_grad=True)
    weight = torch.randn(16, 1, 28, 28)
    (reference_shift_each(x, torch.Generator().manual_seed(7)) * weight).sum().backward()
    expected_grad, x.grad = x.grad.clone(), None
    shifted = shift_each(x, torch.Generator().manual_seed(7))
    (shifted * weight).sum().backward()
    assert torch.equal(shifted, reference_shift_each(x, torch.Generator().manual_seed(7)))
    assert torch.equal(x.grad, expected_grad)
