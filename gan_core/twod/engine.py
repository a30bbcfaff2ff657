"""The fast path: one GAN step written out in NumPy (forward, backward, double backward, Adam/SGD).

Every weight is a view into one flat vector per network, so an optimiser step is a handful of vector operations,
and real and fake batches go through D as one stacked batch (half the calls). G's step reuses the fake batch of
the last D step (as the DCGAN training loop does): G has not moved since, so its forward pass is still valid.
"""
from __future__ import annotations

import math

import numpy as np

from gan_core.twod import losses as L
from gan_core.twod.config import TwoDConfig
from gan_core.twod.nets import FlatMLP, batch_std, batch_std_backward

ADAM_EPS = 1e-8


def ema_decay(decay: float, updates: int) -> float:
    """EMA decay with warm-up, min(decay, (1 + t)/(10 + t)) (as the 1-D lesson), so the average is not dragged
    towards the random initial weights."""
    return min(decay, (1.0 + updates) / (10.0 + updates)) if decay > 0 else 0.0


class FlatOptimizer:
    """torch.optim.Adam (same formula and ε placement) or plain SGD, on one flat parameter vector."""

    def __init__(self, kind: str, size: int, lr: float, betas: tuple[float, float], dtype):
        self.kind, self.lr, self.betas = kind, float(lr), betas
        self.m = np.zeros(size, dtype)
        self.v = np.zeros(size, dtype)
        self._tmp = np.zeros(size, dtype)  # scratch: the update allocates nothing
        self.t = 0

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        if self.kind == "sgd":
            flat -= self.lr * grad
            return
        b1, b2 = self.betas
        self.t += 1
        m, v, tmp = self.m, self.v, self._tmp
        m *= b1
        np.multiply(grad, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        np.sqrt(v, out=tmp)  # tmp = sqrt(v̂)·sqrt(1 − b2^t) + ε: torch's denominator, in place
        tmp *= 1.0 / math.sqrt(1.0 - b2 ** self.t)
        tmp += ADAM_EPS
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1.0 - b1 ** self.t)
        flat -= tmp

    def state(self):
        return (self.m.copy(), self.v.copy(), self.t)

    def load(self, state) -> None:
        m, v, self.t = state
        self.m[...] = m
        self.v[...] = v


def build_nets(cfg: TwoDConfig, rng: np.random.Generator, dtype) -> tuple[FlatMLP, FlatMLP]:
    """G: noise_dim → g_width × g_layers → 2; D: 2m → d_width × d_layers → 1 (+1 input to its last layer
    with the minibatch-std feature). Drawn G first, then D, from `rng` (both engines start from these)."""
    G = FlatMLP([cfg.noise_dim] + [cfg.g_width] * cfg.g_layers + [2], cfg.activation, rng, dtype)
    D = FlatMLP([2 * cfg.pack] + [cfg.d_width] * cfg.d_layers + [1], cfg.activation, rng, dtype,
                extra=1 if cfg.mbstd else 0)
    return G, D


class NumpyEngine:
    name = "numpy"

    def __init__(self, cfg: TwoDConfig, rng: np.random.Generator, dtype=np.float32):
        self.cfg, self.dtype = cfg, dtype
        self.G, self.D = build_nets(cfg, rng, dtype)
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = FlatOptimizer(cfg.optimizer, self.G.size, cfg.lr_g, betas, dtype)
        self.opt_d = FlatOptimizer(cfg.optimizer, self.D.size, cfg.lr_d, betas, dtype)
        # the running average of G's weights (what is drawn and measured when cfg.ema > 0)
        self.G_ema = FlatMLP(self.G.sizes, cfg.activation, None, dtype)
        self.G_ema.flat[...] = self.G.flat
        self.g_updates = 0

    # ---------------------------------------------------------------- D's view of point batches

    def _packs(self, points: np.ndarray) -> np.ndarray:
        return points.reshape(-1, 2 * self.cfg.pack)

    def _stat_column(self, points: np.ndarray, rows: int):
        stat, cache = batch_std(points)
        return np.full((rows, 1), stat, dtype=self.dtype), cache

    def _d_on(self, points: np.ndarray, stat: float | None = None):
        """D's raw outputs on one batch of points (packed), its cache and the batch-std cache."""
        x = self._packs(points)
        extra = scache = None
        if self.cfg.mbstd:
            if stat is None:
                extra, scache = self._stat_column(points, len(x))
            else:
                extra = np.full((len(x), 1), stat, dtype=self.dtype)
        out, cache = self.D.forward(x, extra)
        return out, cache, scache

    # ---------------------------------------------------------------- updates

    def d_update(self, batch):
        """One D step on (real, z, eps). Returns (loss, shown D(real), shown D(fake), (fake, G's cache))."""
        cfg, G, D = self.cfg, self.G, self.D
        real, z, eps = batch
        fake, g_cache = G.forward(z)
        xr, xf = self._packs(real), self._packs(fake)
        r = len(xr)
        extra = None
        if cfg.mbstd:
            extra = np.concatenate([self._stat_column(real, r)[0], self._stat_column(fake, len(xf))[0]])
        out, cache = D.forward(np.concatenate([xr, xf]), extra)
        loss, g_real, g_fake, shown_r, shown_f = L.d_loss(cfg.loss, out[:r], out[r:])
        D.backward(cache, np.concatenate([g_real, g_fake]), input_grad=False)
        if cfg.loss == "wgan_gp" and cfg.gp_weight > 0:
            mix = eps * real + (1.0 - eps) * fake
            _, mcache, _ = self._d_on(mix, batch_std(mix)[0] if cfg.mbstd else None)
            grad, gcache = D.input_gradient(mcache)
            penalty, dgrad = L.gradient_penalty(grad, cfg.gp_weight)
            D.input_gradient_backward(gcache, dgrad)
            loss += penalty
        if cfg.r1_gamma > 0:
            grad, gcache = D.input_gradient(cache, slice(0, r))  # slopes of the real rows, from the pass above
            penalty, dgrad = L.r1_penalty(grad, cfg.r1_gamma)
            D.input_gradient_backward(gcache, dgrad)
            loss += penalty
        self.opt_d.step(D.flat, D.grad)
        return loss, shown_r, shown_f, (fake, g_cache)

    def _g_grad_on_points(self, fake: np.ndarray):
        """G's loss on a fake batch and dℓ/d(points)."""
        out, cache, scache = self._d_on(fake)
        loss, dout = L.g_loss(self.cfg.loss, out)
        dx, dextra = self.D.backward(cache, dout, param_grads=False)
        dx = dx.reshape(-1, 2)
        if scache is not None:
            dx = dx + batch_std_backward(scache, float(dextra.sum()))
        return loss, dx

    def g_update(self, z: np.ndarray, fake_cache=None, lookahead=None) -> float:
        """One G step. `lookahead`: batches for the unrolled D (first order: D is advanced on a copy of its
        weights and optimiser state, G is scored against it, then D is put back)."""
        G = self.G
        fake, g_cache = fake_cache if fake_cache is not None else G.forward(z)
        saved = None
        if lookahead:
            saved = (self.D.flat.copy(), self.opt_d.state())
            for batch in lookahead:
                self.d_update(batch)
        loss, dx = self._g_grad_on_points(fake)
        if saved is not None:
            self.D.flat[...] = saved[0]
            self.opt_d.load(saved[1])
        G.backward(g_cache, dx, input_grad=False)
        self.opt_g.step(G.flat, G.grad)
        self.g_updates += 1
        if self.cfg.ema > 0:
            d = ema_decay(self.cfg.ema, self.g_updates)
            e = self.G_ema.flat
            e *= d
            e += (1.0 - d) * G.flat
        return loss

    # ---------------------------------------------------------------- looking

    def generate(self, z: np.ndarray, raw: bool = False) -> np.ndarray:
        """G(z) with the averaged weights when cfg.ema > 0 (G's own weights with raw=True)."""
        net = self.G if raw or self.cfg.ema <= 0 else self.G_ema
        return net.predict(np.asarray(z, dtype=self.dtype)).astype(np.float64)

    def discriminator_raw(self, points: np.ndarray, stat: float | None) -> np.ndarray:
        """D's raw output per point, each scored as a pack of m copies of itself, with the batch feature `stat`."""
        pts = np.repeat(np.asarray(points, dtype=self.dtype), self.cfg.pack, axis=0)
        return self._d_on(pts, stat)[0][:, 0].astype(np.float64)

    def g_loss_gradient(self, points: np.ndarray) -> np.ndarray:
        """∂ℓ_G/∂x per point, the points being one fake batch (per pack, not divided by the batch size)."""
        pts = np.asarray(points, dtype=self.dtype)
        _, dx = self._g_grad_on_points(pts)
        return dx.astype(np.float64) * (len(pts) // self.cfg.pack)

    def state(self) -> dict:
        return {"G": self.G.flat.copy(), "D": self.D.flat.copy(), "opt_g": self.opt_g.state(),
                "opt_d": self.opt_d.state(), "G_ema": self.G_ema.flat.copy(), "g_updates": self.g_updates}

    def load(self, state: dict) -> None:
        self.G.flat[...] = state["G"]
        self.D.flat[...] = state["D"]
        self.opt_g.load(state["opt_g"])
        self.opt_d.load(state["opt_d"])
        self.G_ema.flat[...] = state["G_ema"]
        self.g_updates = state["g_updates"]
