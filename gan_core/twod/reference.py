"""The same GAN as a straightforward PyTorch loop: nn.Sequential nets, autograd (double backward for R1 /
WGAN-GP), torch.optim. It is the benchmark's reference, the tests' oracle for the hand-written gradients, the
engine that runs on CUDA, and the home of the exact (second-order) unrolled D, whose gradient flows through
k optimiser steps — a third derivative of the nets that is not worth writing by hand.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from gan_core.device import use_one_thread_per_session
from gan_core.twod.config import TwoDConfig
from gan_core.twod.engine import ADAM_EPS, build_nets, ema_decay
from gan_core.twod.losses import NORM_EPS
from gan_core.twod.nets import LEAKY_SLOPE, MBSTD_EPS


def _act(kind: str) -> nn.Module:
    return {"relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(LEAKY_SLOPE), "tanh": nn.Tanh()}[kind]


def mlp(sizes: list[int], activation: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(_act(activation))
    return nn.Sequential(*layers)


def batch_std_t(points: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(points.var(0, unbiased=False) + MBSTD_EPS).mean().reshape(1, 1)


class TorchD(nn.Module):
    def __init__(self, cfg: TwoDConfig):
        super().__init__()
        self.pack, self.mbstd = cfg.pack, cfg.mbstd
        self.body = mlp([2 * cfg.pack] + [cfg.d_width] * cfg.d_layers, cfg.activation)
        self.body.append(_act(cfg.activation))
        self.out = nn.Linear(cfg.d_width + (1 if cfg.mbstd else 0), 1)

    def forward(self, points: torch.Tensor, stat: torch.Tensor | None = None) -> torch.Tensor:
        """Raw outputs (n_packs, 1); points (N, 2), consecutive m form a pack; stat: the batch feature
        (computed from `points`, with its gradient, when not given)."""
        h = self.body(points.reshape(-1, 2 * self.pack))
        if self.mbstd:
            s = batch_std_t(points) if stat is None else stat
            h = torch.cat([h, s.expand(len(h), 1)], 1)
        return self.out(h)


def _linears(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def load_flat(module: nn.Module, views: list[np.ndarray]) -> None:
    with torch.no_grad():
        for i, lin in enumerate(_linears(module)):
            lin.weight.copy_(torch.as_tensor(np.ascontiguousarray(views[2 * i].T)).to(lin.weight))
            lin.bias.copy_(torch.as_tensor(views[2 * i + 1]).to(lin.bias))


def to_flat(module: nn.Module) -> np.ndarray:
    parts = []
    for lin in _linears(module):
        parts += [lin.weight.detach().cpu().double().numpy().T.ravel(), lin.bias.detach().cpu().double().numpy()]
    return np.concatenate(parts)


def flat_grad(module: nn.Module) -> np.ndarray:
    """The parameter gradients in the NumPy engine's flat layout."""
    parts = []
    for lin in _linears(module):
        parts += [lin.weight.grad.detach().cpu().double().numpy().T.ravel(),
                  lin.bias.grad.detach().cpu().double().numpy()]
    return np.concatenate(parts)


class TorchEngine:
    name = "torch"

    def __init__(self, cfg: TwoDConfig, rng: np.random.Generator, dtype=np.float32, device: str = "cpu"):
        self.cfg, self.device = cfg, torch.device(device)
        if self.device.type == "cpu":
            use_one_thread_per_session()  # tiny nets: a second intra-op thread costs more than it saves
        self.tdtype = torch.float64 if dtype == np.float64 else torch.float32
        g_np, d_np = build_nets(cfg, rng, np.float64)  # the same initial weights as the NumPy engine
        self.G = mlp([cfg.noise_dim] + [cfg.g_width] * cfg.g_layers + [2], cfg.activation)
        self.D = TorchD(cfg)
        self.G.to(self.device, self.tdtype)
        self.D.to(self.device, self.tdtype)
        load_flat(self.G, g_np.params)
        load_flat(self.D, d_np.params)
        self.opt_g = self._optimizer(self.G, cfg.lr_g)
        self.opt_d = self._optimizer(self.D, cfg.lr_d)
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)
        self.g_updates = 0

    def _optimizer(self, module: nn.Module, lr: float) -> torch.optim.Optimizer:
        if self.cfg.optimizer == "sgd":
            return torch.optim.SGD(module.parameters(), lr=lr)
        return torch.optim.Adam(module.parameters(), lr=lr, betas=(self.cfg.beta1, self.cfg.beta2), eps=ADAM_EPS)

    def _t(self, a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(a), device=self.device).to(self.tdtype)

    # ---------------------------------------------------------------- losses

    def d_loss(self, D, real, fake, eps):
        """D's loss (with its penalty) as a graph; also the shown D(real), D(fake)."""
        cfg = self.cfg
        stat_r = batch_std_t(real) if cfg.mbstd else None
        if cfg.r1_gamma > 0:
            real = real.clone().requires_grad_(True)
        o_r, o_f = D(real, stat_r), D(fake)
        if cfg.loss in ("nonsaturating", "minimax"):
            loss = F.softplus(-o_r).mean() + F.softplus(o_f).mean()
            shown = (torch.sigmoid(o_r).mean(), torch.sigmoid(o_f).mean())
        elif cfg.loss == "least_squares":
            loss = 0.5 * (o_r - 1).pow(2).mean() + 0.5 * o_f.pow(2).mean()
            shown = (o_r.mean(), o_f.mean())
        else:
            loss = o_f.mean() - o_r.mean()
            shown = (o_r.mean(), o_f.mean())
        if cfg.loss == "wgan_gp" and cfg.gp_weight > 0:
            mix = (eps * real.detach() + (1 - eps) * fake).requires_grad_(True)
            o_m = D(mix, batch_std_t(mix).detach() if cfg.mbstd else None)
            (g,) = torch.autograd.grad(o_m.sum(), mix, create_graph=True)
            norm = torch.sqrt(g.reshape(-1, 2 * cfg.pack).pow(2).sum(1) + NORM_EPS)
            loss = loss + cfg.gp_weight * (norm - 1).pow(2).mean()
        if cfg.r1_gamma > 0:  # the batch feature is held constant (stat_r came from `real` before requires_grad)
            (g,) = torch.autograd.grad(o_r.sum(), real, create_graph=True)
            loss = loss + 0.5 * cfg.r1_gamma * g.reshape(-1, 2 * cfg.pack).pow(2).sum(1).mean()
        return loss, shown

    def g_loss(self, D, fake):
        o = D(fake)
        loss = self.cfg.loss
        if loss == "nonsaturating":
            return F.softplus(-o).mean()
        if loss == "minimax":
            return -F.softplus(o).mean()
        if loss == "least_squares":
            return 0.5 * (o - 1).pow(2).mean()
        return -o.mean()

    # ---------------------------------------------------------------- updates

    def d_update(self, batch):
        real, z, eps = (self._t(a) for a in batch)
        with torch.no_grad():
            fake = self.G(z)
        loss, shown = self.d_loss(self.D, real, fake, eps)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return float(loss.detach()), float(shown[0].detach()), float(shown[1].detach()), None

    def g_update(self, z, fake_cache=None, lookahead=None) -> float:
        z = self._t(z)
        D = self.D
        if lookahead and self.cfg.unroll_order == "second":
            D = self._unrolled_second_order(lookahead)
        elif lookahead:
            D, opt = copy.deepcopy(self.D), None
            opt = self._optimizer(D, self.cfg.lr_d)
            opt.load_state_dict(copy.deepcopy(self.opt_d.state_dict()))
            for batch in lookahead:
                real, zz, eps = (self._t(a) for a in batch)
                with torch.no_grad():
                    fake = self.G(zz)
                loss, _ = self.d_loss(D, real, fake, eps)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        loss = self.g_loss(D, self.G(z))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.g_updates += 1
        if self.cfg.ema > 0:
            d = ema_decay(self.cfg.ema, self.g_updates)
            with torch.no_grad():
                for pe, p in zip(self.G_ema.parameters(), self.G.parameters()):
                    pe.mul_(d).add_(p, alpha=1.0 - d)
        return float(loss.detach())

    def _unrolled_second_order(self, lookahead):
        """D after k more optimiser steps against the current G, as a differentiable function of G's weights
        (Metz et al. 2017). The steps use D's loss and penalties; Adam is written out with sqrt(v̂ + ε²)
        instead of sqrt(v̂) + ε so that its derivative stays finite where a gradient is exactly 0."""
        cfg = self.cfg
        b1, b2, lr = cfg.beta1, cfg.beta2, cfg.lr_d
        params = {n: p.detach().requires_grad_(True) for n, p in self.D.named_parameters()}
        moments = {}
        for n, p in self.D.named_parameters():
            st = self.opt_d.state.get(p, {})
            if "exp_avg" in st:
                moments[n] = (st["exp_avg"].detach(), st["exp_avg_sq"].detach(), float(st["step"]))
            else:
                moments[n] = (torch.zeros_like(p), torch.zeros_like(p), 0.0)
        base = self.D

        def d_of(ps):
            return lambda x, stat=None: torch.func.functional_call(base, ps, (x, stat))

        for batch in lookahead:
            real, z, eps = (self._t(a) for a in batch)
            loss, _ = self.d_loss(d_of(params), real, self.G(z), eps)
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
            new_params, new_moments = {}, {}
            for (n, p), g in zip(params.items(), grads):
                if cfg.optimizer == "sgd":
                    new_params[n] = p - lr * g
                    continue
                m, v, t = moments[n]
                t += 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                new_params[n] = p - lr * (m / (1 - b1 ** t)) / torch.sqrt(v / (1 - b2 ** t) + ADAM_EPS ** 2)
                new_moments[n] = (m, v, t)
            params, moments = new_params, (new_moments or moments)
        return d_of(params)

    # ---------------------------------------------------------------- looking

    @torch.no_grad()
    def generate(self, z: np.ndarray, raw: bool = False) -> np.ndarray:
        net = self.G if raw or self.cfg.ema <= 0 else self.G_ema
        return net(self._t(z)).double().cpu().numpy()

    @torch.no_grad()
    def discriminator_raw(self, points: np.ndarray, stat: float | None) -> np.ndarray:
        pts = self._t(np.repeat(np.asarray(points), self.cfg.pack, axis=0))
        s = None if stat is None else torch.full((1, 1), stat, dtype=self.tdtype, device=self.device)
        return self.D(pts, s)[:, 0].double().cpu().numpy()

    def g_loss_gradient(self, points: np.ndarray) -> np.ndarray:
        pts = self._t(points).requires_grad_(True)
        (g,) = torch.autograd.grad(self.g_loss(self.D, pts), pts)
        return g.double().cpu().numpy() * (len(points) // self.cfg.pack)

    def state(self) -> dict:
        return copy.deepcopy({"G": self.G.state_dict(), "D": self.D.state_dict(),
                              "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
                              "G_ema": self.G_ema.state_dict(), "g_updates": self.g_updates})

    def load(self, state: dict) -> None:
        state = copy.deepcopy(state)
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.G_ema.load_state_dict(state["G_ema"])
        self.g_updates = state["g_updates"]
