"""The hand-written NumPy step does the same maths as autograd + torch.optim.Adam."""
import numpy as np
import pytest
import torch

from gan_core.mapping_1d import losses as L
from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.nets import FlatMLP, copy_flat_to_torch, torch_mlp, torch_to_flat
from gan_core.mapping_1d.targets import parse_target
from gan_core.mapping_1d.trainer import DataStream, NumpyEngine, TorchEngine

LOSSES = ["nonsaturating", "minimax", "least_squares", "wgan_gp"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def _net_pair(width=8, seed=0):
    mlp = FlatMLP(width, np.random.default_rng(seed), np.float64)
    module = torch_mlp(width).double()
    copy_flat_to_torch(mlp, module)
    return mlp, module


def test_flat_layout_round_trips_through_torch():
    mlp, module = _net_pair()
    assert np.array_equal(torch_to_flat(module, mlp), mlp.flat)


def test_forward_and_backward_match_autograd():
    mlp, module = _net_pair()
    rng = np.random.default_rng(1)
    x, dout = rng.normal(size=(2, 64, 1))
    out, cache = FlatMLP.forward(mlp.params, x)
    dx = mlp.backward(cache, dout)
    xt = torch.tensor(x, requires_grad=True)
    out_t = module(xt)
    out_t.backward(torch.tensor(dout))
    assert out == pytest.approx(out_t.detach().numpy(), abs=1e-12)
    assert dx == pytest.approx(xt.grad.numpy(), abs=1e-12)
    # parameter gradients, mapped back into the flat layout
    grads = FlatMLP(8)
    grads_views = grads.views_of(grads.flat)
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        grads_views[2 * i][...] = lin.weight.grad.numpy().T
        grads_views[2 * i + 1][...] = lin.bias.grad.numpy()
    assert mlp.grad == pytest.approx(grads.flat, abs=1e-12)


@pytest.mark.parametrize("penalty", ["gp", "r1"])
def test_hand_written_double_backward_matches_autograd(penalty):
    # The gradient penalties differentiate ∂D/∂x w.r.t. the weights: autograd needs create_graph=True.
    mlp, module = _net_pair(width=16, seed=3)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(100, 1))
    slope, cache = mlp.input_gradient(x)
    xt = torch.tensor(x, requires_grad=True)
    (slope_t,) = torch.autograd.grad(module(xt).sum(), xt, create_graph=True)
    assert slope == pytest.approx(slope_t.detach().numpy(), abs=1e-12)
    if penalty == "gp":
        value, dslope = L.gradient_penalty(slope, 10.0)
        value_t = 10.0 * (slope_t.abs() - 1).pow(2).mean()
    else:
        value, dslope = L.r1_penalty(slope, 2.0)
        value_t = 0.5 * 2.0 * slope_t.pow(2).mean()
    assert value == pytest.approx(value_t.item(), rel=1e-12)
    mlp.grad[...] = 0.0
    mlp.input_gradient_backward(cache, dslope)
    value_t.backward()
    expected = torch_to_flat(_grads_as_module(module), mlp)
    assert mlp.grad == pytest.approx(expected, abs=1e-10)


def _grads_as_module(module):
    copy = torch_mlp(module[0].out_features).double()
    with torch.no_grad():
        for src, dst in zip(module.parameters(), copy.parameters()):
            dst.copy_(src.grad if src.grad is not None else torch.zeros_like(src))
    return copy


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_gradients_match_autograd(loss):
    rng = np.random.default_rng(5)
    real, fake = rng.normal(scale=3, size=(2, 50, 1))
    value, g_real, g_fake, shown_real, shown_fake = L.discriminator_loss(loss, real, fake)
    rt, ft = torch.tensor(real, requires_grad=True), torch.tensor(fake, requires_grad=True)
    vt = L.torch_discriminator_loss(loss, rt, ft)
    vt.backward()
    assert value == pytest.approx(vt.item(), rel=1e-12)
    assert g_real == pytest.approx(rt.grad.numpy(), abs=1e-12)
    assert g_fake == pytest.approx(ft.grad.numpy(), abs=1e-12)
    squash = (lambda o: 1 / (1 + np.exp(-o))) if loss in L.PROBABILITY_LOSSES else (lambda o: o)
    assert shown_real == pytest.approx(squash(real).mean()) and shown_fake == pytest.approx(squash(fake).mean())
    g_value, per_sample = L.generator_loss(loss, fake)
    ft = torch.tensor(fake, requires_grad=True)
    gt = L.torch_generator_loss(loss, ft)
    gt.backward()
    assert g_value == pytest.approx(gt.item(), rel=1e-12)
    assert per_sample / len(fake) == pytest.approx(ft.grad.numpy(), abs=1e-12)


def test_minimax_generator_gradient_vanishes_where_d_is_sure_the_sample_is_fake():
    logits = np.array([[-12.0], [-6.0], [0.0]])  # D(G(z)) = sigmoid(logit) ≈ 6e-6, 2.5e-3, 0.5
    _, minimax = L.generator_loss("minimax", logits)
    _, nonsat = L.generator_loss("nonsaturating", logits)
    assert np.abs(minimax[0]) < 1e-5 and np.abs(nonsat[0]) > 0.99
    assert np.abs(minimax[2]) == pytest.approx(np.abs(nonsat[2]))  # equal at D = ½


def _engines(loss, steps=1, **overrides):
    cfg = Mapping1DConfig(loss=loss, width=16, batch_size=64, **overrides)
    target = parse_target(cfg.target)
    out = []
    for kind in ("numpy", "torch"):
        rng = np.random.default_rng(11)
        init_rng, data_rng = rng.spawn(2)
        stream = DataStream(target, cfg.noise, cfg.batch_size, data_rng)
        if kind == "numpy":
            engine = NumpyEngine(cfg, stream, init_rng, dtype=np.float64)
        else:
            engine = TorchEngine(cfg, stream, init_rng, dtype=torch.float64)
        stats = [engine.step() for _ in range(steps)]
        out.append((engine, stats))
    return out


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("extra", [{}, {"r1": 1.0, "d_steps": 2}], ids=["plain", "r1+2dsteps"])
def test_numpy_step_equals_autograd_and_torch_adam(loss, extra):
    (fast, fast_stats), (ref, ref_stats) = _engines(loss, steps=5, **extra)
    assert np.array(fast_stats) == pytest.approx(np.array(ref_stats), rel=1e-7, abs=1e-9)
    assert fast.G.flat == pytest.approx(torch_to_flat(ref.G, fast.G), rel=1e-7, abs=1e-9)
    assert fast.D.flat == pytest.approx(torch_to_flat(ref.D, fast.D), rel=1e-7, abs=1e-9)
    assert fast.ema_flat == pytest.approx(torch_to_flat(ref.G_ema, fast.G), rel=1e-7, abs=1e-9)
