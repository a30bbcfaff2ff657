"""The hand-written NumPy step against PyTorch autograd (and finite differences), on tiny nets in float64."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from gan_core.twod.config import TwoDConfig
from gan_core.twod.engine import NumpyEngine
from gan_core.twod.nets import FlatMLP
from gan_core.twod.reference import TorchEngine, flat_grad, to_flat
from gan_core.twod.trainer import Batch

TINY = TwoDConfig(noise_dim=3, g_layers=2, g_width=5, d_layers=2, d_width=6, batch_size=8, lr_g=1e-2, lr_d=1e-2)

CASES = {
    "nonsaturating": {},
    "minimax": {"loss": "minimax"},
    "least_squares": {"loss": "least_squares"},
    "wgan_gp": {"loss": "wgan_gp", "beta1": 0.0, "beta2": 0.9},
    "mbstd": {"mbstd": True},
    "pack3": {"pack": 3},
    "r1": {"r1_gamma": 2.0},
    "r1_tanh": {"r1_gamma": 2.0, "activation": "tanh"},
    "gp_tanh_leaky": {"loss": "wgan_gp", "activation": "leaky_relu"},
    "gp_tanh": {"loss": "wgan_gp", "activation": "tanh", "mbstd": True},
    "mbstd_pack_r1": {"mbstd": True, "pack": 2, "r1_gamma": 1.0, "activation": "leaky_relu"},
    "sgd_ls_mbstd": {"optimizer": "sgd", "loss": "least_squares", "mbstd": True},
    "ema": {"ema": 0.9},
    "unrolled_first": {"unroll": 2},
    "unrolled_first_mbstd": {"unroll": 2, "mbstd": True, "loss": "minimax"},
}


def _batch(cfg: TwoDConfig, seed: int) -> Batch:
    rng = np.random.default_rng(seed)
    n = cfg.batch_size * cfg.pack
    return Batch(rng.normal(size=(n, 2)) * 1.5, rng.normal(size=(n, cfg.noise_dim)), rng.random((n, 1)))


def _pair(cfg: TwoDConfig):
    return (NumpyEngine(cfg, np.random.default_rng([7, 0]), np.float64),
            TorchEngine(cfg, np.random.default_rng([7, 0]), np.float64))


@pytest.mark.parametrize("case", list(CASES))
def test_d_and_g_gradients_match_autograd(case):
    cfg = dataclasses.replace(TINY, **CASES[case])
    npe, te = _pair(cfg)
    b = _batch(cfg, 1)
    # D: the gradient the hand-written step computed vs autograd on the same weights and batch
    loss_np, r_np, f_np, _ = npe.d_update(b)
    real, z, eps = (te._t(a) for a in b)
    with torch.no_grad():
        fake = te.G(z)
    loss_t, shown = te.d_loss(te.D, real, fake, eps)
    te.D.zero_grad()
    loss_t.backward()
    assert loss_np == pytest.approx(float(loss_t.detach()), rel=1e-10)
    assert (r_np, f_np) == pytest.approx((float(shown[0].detach()), float(shown[1].detach())), rel=1e-10)
    np.testing.assert_allclose(npe.D.grad, flat_grad(te.D), rtol=1e-8, atol=1e-12)
    # after one optimiser step both engines hold the same D
    te.opt_d.step()
    np.testing.assert_allclose(npe.D.flat, to_flat(te.D), rtol=1e-9, atol=1e-12)
    # G: one full G update (with the unrolled lookahead where configured) lands on the same weights
    look = [_batch(cfg, 10 + i) for i in range(cfg.unroll)] or None
    g_np = npe.g_update(b.z, None, look)
    g_t = te.g_update(b.z, None, look)
    assert g_np == pytest.approx(g_t, rel=1e-9)
    np.testing.assert_allclose(npe.G.flat, to_flat(te.G), rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(npe.D.flat, to_flat(te.D), rtol=1e-9, atol=1e-12)  # lookahead left D alone
    np.testing.assert_allclose(npe.G_ema.flat, to_flat(te.G_ema), rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(npe.generate(b.z), te.generate(b.z), rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh"])
def test_input_gradient_and_its_backward_match_finite_differences(activation):
    rng = np.random.default_rng(3)
    net = FlatMLP([4, 5, 6, 1], activation, rng, np.float64, extra=1)
    x, extra = rng.normal(size=(7, 4)), rng.normal(size=(7, 1))
    c = rng.normal(size=(7, 4))

    def penalty(flat):  # P = Σ c ⊙ ∂out/∂x, by central differences in x
        saved = net.flat.copy()
        net.flat[...] = flat
        h = 1e-5
        g = np.zeros_like(x)
        for j in range(4):
            dx = np.zeros_like(x)
            dx[:, j] = h
            g[:, j] = (net.predict(x + dx, extra) - net.predict(x - dx, extra))[:, 0] / (2 * h)
        net.flat[...] = saved
        return (c * g).sum(), g

    _, cache = net.forward(x, extra)
    g, gcache = net.input_gradient(cache)
    assert np.allclose(g, penalty(net.flat)[1], atol=1e-7)
    net.grad[...] = 0
    net.input_gradient_backward(gcache, c)
    for i in rng.choice(net.size, 12, replace=False):
        e = np.zeros(net.size)
        e[i] = 1e-4
        num = (penalty(net.flat + e)[0] - penalty(net.flat - e)[0]) / 2e-4
        assert net.grad[i] == pytest.approx(num, rel=1e-3, abs=1e-5)


def test_second_order_unrolling_differs_from_first_order_and_matches_finite_differences():
    cfg = dataclasses.replace(TINY, unroll=2, unroll_order="second", optimizer="sgd", lr_d=0.05, activation="tanh")
    te = TorchEngine(cfg, np.random.default_rng([7, 0]), np.float64)
    b = _batch(cfg, 1)
    look = [_batch(cfg, 10 + i) for i in range(2)]
    z = te._t(b.z)
    D_k = te._unrolled_second_order(look)
    loss = te.g_loss(D_k, te.G(z))
    grads = torch.autograd.grad(loss, list(te.G.parameters()))
    w = list(te.G.parameters())[0]

    def unrolled_loss():
        with torch.enable_grad():
            return float(te.g_loss(te._unrolled_second_order(look), te.G(z)).detach())

    h = 1e-6
    with torch.no_grad():
        for idx in [(0, 0), (1, 2), (4, 1)]:
            w[idx] += h
            up = unrolled_loss()
            w[idx] -= 2 * h
            down = unrolled_loss()
            w[idx] += h
            assert float(grads[0][idx]) == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-9)
    cfg1 = dataclasses.replace(cfg, unroll_order="first")
    t1 = TorchEngine(cfg1, np.random.default_rng([7, 0]), np.float64)
    t1.g_update(b.z, None, look)
    te.g_update(b.z, None, look)
    assert not np.allclose(to_flat(t1.G), to_flat(te.G), rtol=0, atol=1e-12)
