"""The 2-D GAN on a Gaussian mixture, with one optional remedy against mode collapse.

`step(n)` trains n generator steps (one D step each, plus k differentiable lookahead steps for the unrolled D);
`run_for(budget_s, max_steps)` trains for at most a time budget (one live tick). Every `eval_every`
steps the mode metrics are measured on a fixed noise batch and recorded in a capped history.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from gan_core.history import CappedHistory
from gan_core.mode_collapse.config import ModeCollapseConfig
from gan_core.mode_collapse.metrics import ModeReport, mode_report
from gan_core.mode_collapse.targets import make_target
from gan_core.settings_spec import ensure_valid

EVAL_SAMPLES = 2500  # as in VEEGAN / PacGAN
EVAL_EVERY = 25  # generator steps between measurements
SERIES = ("step", "d_loss", "g_loss", "modes_captured", "high_quality", "reverse_kl")
SNAPSHOT_EVERY = 200


class Generator(nn.Module):
    def __init__(self, z_dim: int, width: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(z_dim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 2)
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    """MLP over a pack of m points (input 2m), one hidden ReLU layer as in Metz et al. 2017; with `mbstd`,
    the batch's spread is fed to the output layer as one extra feature."""

    def __init__(self, width: int, pack: int = 1, mbstd: bool = False):
        super().__init__()
        self.pack, self.mbstd = pack, mbstd
        self.inp = nn.Linear(2 * pack, width)
        self.out = nn.Linear(width + (1 if mbstd else 0), 1)

    def batch_stat(self, x: torch.Tensor) -> torch.Tensor:
        """Minibatch standard deviation (Karras et al. 2018): mean over coordinates of the per-coordinate std."""
        return x.std(0, unbiased=False).mean().reshape(1, 1)

    def forward(self, x: torch.Tensor, stat: torch.Tensor | None = None) -> torch.Tensor:
        """Logits, one per pack. x: (B·m, 2) points, consecutive m points form one pack."""
        h = F.relu(self.inp(x.reshape(-1, 2 * self.pack)))
        if self.mbstd:
            s = self.batch_stat(x) if stat is None else stat
            h = torch.cat([h, s.expand(h.shape[0], 1)], 1)
        return self.out(h).squeeze(1)


class ModeCollapseTrainer:
    def __init__(self, config: ModeCollapseConfig, history_capacity: int = 2000, eval_every: int = EVAL_EVERY):
        ensure_valid(config)
        self.config = config
        self.target = make_target(config.target)
        self.eval_every = int(eval_every)
        self.history = CappedHistory(SERIES, capacity=history_capacity)
        self.reset()

    # ------------------------------------------------------------------ state

    @property
    def pack(self) -> int:
        return self.config.pack if self.config.remedy == "pack" else 1

    def reset(self, seed: int | None = None) -> None:
        """Start over from fresh weights (same seed + same settings = the same run)."""
        if seed is not None:
            self.config = dataclasses.replace(self.config, seed=int(seed))
        c = self.config
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(c.seed)
            self.G = Generator(c.z_dim, c.width)
            self.D = Discriminator(c.width, pack=self.pack, mbstd=c.remedy == "mbstd")
        self.gen = torch.Generator().manual_seed(c.seed + 1)
        self.eval_z = torch.randn(EVAL_SAMPLES, c.z_dim, generator=torch.Generator().manual_seed(c.seed + 2))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=c.lr_g, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=c.lr_d, betas=(0.5, 0.999))
        self.steps = 0
        self.train_seconds = 0.0
        self.status = "ok"
        self.message = ""
        self.history.clear()
        self._loss_sums = [0.0, 0.0, 0]
        self._last_good = None
        self.report: ModeReport = self.evaluate()
        self._record(float("nan"), float("nan"))
        self._snapshot()

    def _snapshot(self) -> None:
        self._last_good = copy.deepcopy({
            "G": self.G.state_dict(), "D": self.D.state_dict(), "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(), "gen": self.gen.get_state(), "steps": self.steps,
        })

    def restore_last_good(self) -> None:
        s = self._last_good
        if s is None:
            return
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        self.gen.set_state(s["gen"])
        self.steps = s["steps"]
        self.status, self.message = "ok", ""
        self.report = self.evaluate()

    # ------------------------------------------------------------------ losses

    def _d_loss(self, D: Discriminator, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()

    def _g_loss(self, D: Discriminator, fake: torch.Tensor) -> torch.Tensor:
        logits = D(fake)
        if self.config.loss == "minimax":
            return -F.softplus(logits).mean()  # log(1 − D) = −softplus(logit)
        return F.softplus(-logits).mean()  # −log D

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        n = self.config.batch_size * self.pack
        return self.target.sample(n, self.gen), torch.randn(n, self.config.z_dim, generator=self.gen)

    def _d_step(self, D: Discriminator, opt: torch.optim.Optimizer) -> float:
        real, z = self._batch()
        with torch.no_grad():
            fake = self.G(z)
        c = self.config
        if c.remedy == "r1":
            real = real.requires_grad_(True)
            real_logits = D(real)
            (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
            penalty = 0.5 * c.r1_gamma * grad.pow(2).sum(1).mean()
            loss = F.softplus(-real_logits).mean() + F.softplus(D(fake)).mean()
            total = loss + penalty
        else:
            loss = total = self._d_loss(D, real, fake)
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        return float(loss.detach())

    def _g_step(self) -> float:
        c = self.config
        D = self.D
        if c.remedy == "unrolled":
            D = self._unrolled_d()
        z = torch.randn(c.batch_size * self.pack, c.z_dim, generator=self.gen)
        loss = self._g_loss(D, self.G(z))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        return float(loss.detach())

    def _unrolled_d(self):
        """D after k more Adam steps against the current G, as a function of G (Metz et al. 2017).

        The k steps are taken on copies of D's weights and Adam moments with `create_graph=True`, so G's
        gradient flows THROUGH them (second order): G is scored by how D will react, not only by D now.
        """
        c = self.config
        b1, b2, eps, lr = 0.5, 0.999, 1e-8, c.lr_d
        params = {n: p.detach().requires_grad_(True) for n, p in self.D.named_parameters()}
        moments = {}
        for n, p in self.D.named_parameters():
            st = self.opt_d.state.get(p, {})
            if "exp_avg" in st:
                moments[n] = (st["exp_avg"].detach(), st["exp_avg_sq"].detach(), float(st["step"]))
            else:
                moments[n] = (torch.zeros_like(p), torch.zeros_like(p), 0.0)
        D = self.D

        def d_of(ps):
            return lambda x, stat=None: torch.func.functional_call(D, ps, (x, stat))

        for _ in range(c.unroll):
            real, z = self._batch()
            fake = self.G(z)
            loss = self._d_loss(d_of(params), real, fake)
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
            new_params, new_moments = {}, {}
            for (n, p), g in zip(params.items(), grads):
                m, v, t = moments[n]
                t += 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                # sqrt(v + eps²) instead of sqrt(v) + eps: finite derivative where a gradient is exactly 0
                new_params[n] = p - lr * (m / (1 - b1 ** t)) / torch.sqrt(v / (1 - b2 ** t) + eps * eps)
                new_moments[n] = (m, v, t)
            params, moments = new_params, new_moments
        return d_of(params)

    # ------------------------------------------------------------------ training

    def step(self, n: int = 1) -> int:
        """Train up to n generator steps; returns how many were done (fewer if the run diverged)."""
        done = 0
        started = time.perf_counter()
        try:
            for _ in range(int(n)):
                if self.status != "ok":
                    break
                if not self._one_step():
                    break
                done += 1
        finally:
            self.train_seconds += time.perf_counter() - started
        return done

    def run_for(self, budget_s: float, max_steps: int = 1000) -> int:
        """Train until `budget_s` seconds have passed or `max_steps` steps are done (one live tick)."""
        done = 0
        deadline = time.perf_counter() + budget_s
        while done < max_steps and self.status == "ok":
            done += self.step(min(5, max_steps - done))
            if time.perf_counter() >= deadline:
                break
        return done

    def _one_step(self) -> bool:
        d_loss = self._d_step(self.D, self.opt_d)
        g_loss = self._g_step()
        self.steps += 1
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            self._diverged(f"a loss became {d_loss if not math.isfinite(d_loss) else g_loss}")
            return False
        self._loss_sums[0] += d_loss
        self._loss_sums[1] += g_loss
        self._loss_sums[2] += 1
        if self.steps % self.eval_every == 0:
            self.report = self.evaluate()
            if not np.isfinite(self._eval_samples).all() or np.abs(self._eval_samples).max() > 1e4:
                self._diverged("G's samples ran off to infinity")
                return False
            n = max(1, self._loss_sums[2])
            self._record(self._loss_sums[0] / n, self._loss_sums[1] / n)
            self._loss_sums = [0.0, 0.0, 0]
            if self.steps % SNAPSHOT_EVERY == 0:
                self._snapshot()
        return True

    def _diverged(self, why: str) -> None:
        self.status = "diverged"
        self.message = (f"Training diverged at step {self.steps}: {why}. Lower the learning rates, "
                        f"or restore the last good state (step {self._last_good['steps']}).")

    def _record(self, d_loss: float, g_loss: float) -> None:
        r = self.report
        self.history.append({
            "step": self.steps, "d_loss": d_loss, "g_loss": g_loss, "modes_captured": r.modes_captured,
            "high_quality": 100 * r.high_quality, "reverse_kl": r.reverse_kl,
        })

    # ------------------------------------------------------------------ looking at the run

    @torch.no_grad()
    def evaluate(self) -> ModeReport:
        self._eval_samples = self.G(self.eval_z).numpy().astype(np.float64)
        return mode_report(self._eval_samples, self.target.centres, self.target.sigma)

    @property
    def samples(self) -> np.ndarray:
        """G's samples on the fixed evaluation noise (as of the last measurement)."""
        return self._eval_samples

    @torch.no_grad()
    def decision_surface(self, n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """D(x) = sigmoid(logit) on an n×n grid over the plot's domain.

        With packing, a grid point is scored as a pack of m copies of itself; with the minibatch-std feature,
        the feature is set to its value on a batch of real data.
        """
        e = self.target.extent
        ticks = np.linspace(-e, e, n)
        xx, yy = np.meshgrid(ticks, ticks)
        pts = torch.as_tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
        if self.pack > 1:
            pts = pts.repeat_interleave(self.pack, 0)
        stat = None
        if self.D.mbstd:
            real = self.target.sample(512, torch.Generator().manual_seed(self.config.seed + 3))
            stat = self.D.batch_stat(real)
        d = torch.sigmoid(self.D(pts, stat)).numpy()
        return xx.ravel(), yy.ravel(), d

    def real_samples(self, n: int = 500) -> np.ndarray:
        """A fixed sample of the target for drawing (its own random stream; cached, the same every tick)."""
        cached = getattr(self, "_real_cache", None)
        if cached is None or len(cached) != n:
            cached = self._real_cache = self.target.sample(n, torch.Generator().manual_seed(self.config.seed + 4)).numpy()
        return cached
