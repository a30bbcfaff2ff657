"""Live trainer for the 1-D game: G maps noise z to x, D tells real x from G(z).

Why it converges in seconds rather than minutes:
- Standardised units: G produces, and D reads, x in units of the target's own mean and spread
  ((x − mean)/std); the page sees data units. A target at µ = 3, σ = 0.7 then looks the same to the
  networks as one at µ = −50, σ = 20, and the default learning rates fit every target.
- The game is damped instead of left to circle: D learns 8× faster than G, Adam has no momentum
  (β1 = 0), and an R1 penalty keeps D's slope at the real data small (see config.py for the numbers).
- An exponential moving average of G's weights is what is drawn and measured: the two-player game
  makes the raw weights jitter around the solution; their running average sits on it.
- A fast hand-written NumPy step (`engine="numpy"`), so a second of CPU buys thousands of steps.

`engine="torch"` runs the same algorithm as a plain autograd + torch.optim.Adam loop (the benchmark's
reference; also what runs on CUDA). Both engines draw the same data from the same seed and start
from the same weights, so they follow the same trajectory up to float rounding.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import math
import time

import numpy as np
import torch

from gan_core.device import one_blas_thread
from gan_core.history import CappedHistory
from gan_core.mapping_1d import losses as L
from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.metrics import midpoint_quantiles
from gan_core.mapping_1d.nets import FlatMLP, copy_flat_to_torch, torch_mlp
from gan_core.mapping_1d.targets import Target, ideal_map, noise_quantile, parse_target
from gan_core.settings_spec import ensure_valid

HISTORY_SERIES = ("step", "d_loss", "g_loss", "d_real", "d_fake", "w1", "g_grad")
ADAM_EPS = 1e-8
# Beyond this many target standard deviations G's output (or D's score) has exploded.
EXPLODED = 1e4
W1_POINTS = 2000  # fixed quadrature points for the generator's W1 (no sampling noise)


def noise_to_standard(z: np.ndarray, noise: str) -> np.ndarray:
    """G's input: z rescaled to mean 0, variance 1 (U(0,1) → (z − ½)·√12; N(0,1) unchanged)."""
    return (z - 0.5) * math.sqrt(12.0) if noise == "uniform" else z


class DataStream:
    """Real samples, noise and WGAN-GP mixing weights, drawn in blocks from one seeded generator.

    Both engines read the same stream, and drawing in blocks keeps the per-step cost low while the
    sequence of batches stays independent of how steps are chunked."""

    BLOCK = 64  # batches per refill

    def __init__(self, target: Target, noise: str, batch: int, rng: np.random.Generator, dtype=np.float64):
        self.target, self.noise, self.batch, self.rng, self.dtype = target, noise, int(batch), rng, dtype
        self._mean, self._std = target.mean, target.std
        self._pos = self.BLOCK
        self._real = self._z = self._eps = None

    def _refill(self) -> None:
        n = self.batch * self.BLOCK
        real = (self.target.sample(n, self.rng) - self._mean) / self._std
        z = self.rng.random(n) if self.noise == "uniform" else self.rng.standard_normal(n)
        eps = self.rng.random(n)
        self._real = real.astype(self.dtype).reshape(self.BLOCK, self.batch, 1)
        self._z = noise_to_standard(z, self.noise).astype(self.dtype).reshape(self.BLOCK, self.batch, 1)
        self._eps = eps.astype(self.dtype).reshape(self.BLOCK, self.batch, 1)
        self._pos = 0

    def next(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(standardised real x, standardised noise z, mixing weights ε), each (batch, 1)."""
        if self._pos >= self.BLOCK:
            self._refill()
        i = self._pos
        self._pos += 1
        return self._real[i], self._z[i], self._eps[i]

    def state(self):
        return (copy.deepcopy(self.rng.bit_generator.state), self._pos, self._real, self._z, self._eps)

    def load(self, state) -> None:
        rng_state, self._pos, self._real, self._z, self._eps = state
        self.rng.bit_generator.state = copy.deepcopy(rng_state)


class NumpyEngine:
    """The fast path: hand-written forward/backward/Adam/EMA on flat NumPy vectors."""

    def __init__(self, config: Mapping1DConfig, stream: DataStream, rng: np.random.Generator, dtype=np.float64):
        self.cfg, self.stream, self.dtype = config, stream, dtype
        self.G = FlatMLP(config.width, rng, dtype)
        self.D = FlatMLP(config.width, rng, dtype)
        self.G.params[5][...] += config.g_start  # G's output bias: where its samples start
        self._adam = {
            "G": [np.zeros(self.G.size, dtype), np.zeros(self.G.size, dtype), 0],
            "D": [np.zeros(self.D.size, dtype), np.zeros(self.D.size, dtype), 0],
        }
        self.ema_flat = self.G.flat.copy()
        self.ema_params = self.G.views_of(self.ema_flat)
        self.g_updates = 0

    def _adam_step(self, name: str, net: FlatMLP, lr: float) -> None:
        """torch.optim.Adam's update (same formula and epsilon placement), on the whole flat vector."""
        m, v, t = self._adam[name]
        t += 1
        self._adam[name][2] = t
        b1, b2 = self.cfg.beta1, self.cfg.beta2
        g = net.grad
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        denom = np.sqrt(v)
        denom *= 1.0 / math.sqrt(1.0 - b2**t)
        denom += ADAM_EPS
        net.flat -= (lr / (1.0 - b1**t)) * (m / denom)

    def _ema_update(self) -> None:
        self.g_updates += 1
        decay = ema_decay(self.cfg.ema, self.g_updates)
        self.ema_flat *= decay
        self.ema_flat += (1.0 - decay) * self.G.flat

    def d_step(self):
        """One discriminator update on a fresh batch:
        returns (d_loss, shown D(real), shown D(fake), x_fake, G's forward cache)."""
        cfg, G, D = self.cfg, self.G, self.D
        x_real, z, eps = self.stream.next()
        n = len(x_real)
        x_fake, g_cache = G.forward(G.params, z)
        # real and fake through D as one batch of 2n: half the NumPy calls
        out, d_cache = D.forward(D.params, np.concatenate([x_real, x_fake]))
        d_loss, grad_real, grad_fake, shown_real, shown_fake = L.discriminator_loss(cfg.loss, out[:n], out[n:])
        D.backward(d_cache, np.concatenate([grad_real, grad_fake]), input_grad=False)
        if cfg.loss == "wgan_gp":
            mix = eps * x_real + (1.0 - eps) * x_fake
            slope, gp_cache = D.input_gradient(mix)
            penalty, d_slope = L.gradient_penalty(slope, cfg.gp_weight)
            D.input_gradient_backward(gp_cache, d_slope)
            d_loss += penalty
        elif cfg.r1 > 0:
            slope, r1_cache = D.input_gradient(x_real, d_cache, slice(0, n))  # slopes from the pass above
            penalty, d_slope = L.r1_penalty(slope, cfg.r1)
            D.input_gradient_backward(r1_cache, d_slope)
            d_loss += penalty
        self._adam_step("D", D, cfg.lr_d)
        return d_loss, shown_real, shown_fake, x_fake, g_cache

    def step(self):
        """One G step after cfg.d_steps D steps. Returns (d_loss, g_loss, d_real, d_fake, g_grad_std, |G|max)."""
        cfg, G, D = self.cfg, self.G, self.D
        for _ in range(cfg.d_steps):
            d_loss, shown_real, shown_fake, x_fake, g_cache = self.d_step()
        n = len(x_fake)
        # G step on the last fake batch, against the just-updated D (as in the DCGAN loop).
        out_fake, d_cache = D.forward(D.params, x_fake)
        g_loss, per_sample = L.generator_loss(cfg.loss, out_fake)
        per_sample *= 1.0 / n
        dx = D.backward(d_cache, per_sample, param_grads=False)
        G.backward(g_cache, dx)
        self._adam_step("G", G, cfg.lr_g)
        self._ema_update()
        flat = x_fake.ravel()
        return (
            d_loss,
            g_loss,
            shown_real,
            shown_fake,
            float(np.abs(dx).sum()),  # = mean |∂ℓ_i/∂x_i| over the batch (standardised units)
            max(float(flat.max()), -float(flat.min())),
        )

    def sample_gradient(self, loss: str, x_std: np.ndarray) -> np.ndarray:
        """∂ℓ_i/∂x_i of G's loss `loss` for samples at x_std (standardised units); changes nothing."""
        out, d_cache = self.D.forward(self.D.params, np.asarray(x_std, dtype=self.dtype).reshape(-1, 1))
        _, per_sample = L.generator_loss(loss, out)
        return self.D.backward(d_cache, per_sample, param_grads=False).ravel().astype(np.float64)

    def generator_gradient(self, loss: str, z_std: np.ndarray) -> float:
        """Mean |∂ℓ_i/∂x_i| of G's loss `loss` at x = G(z) against the current D; changes nothing."""
        x_fake = FlatMLP.predict(self.G.params, np.asarray(z_std, dtype=self.dtype).reshape(-1, 1))
        return float(np.abs(self.sample_gradient(loss, x_fake)).mean())

    def generator(self, z_std: np.ndarray, ema: bool = True) -> np.ndarray:
        params = self.ema_params if ema and self.cfg.ema > 0 else self.G.params
        return FlatMLP.predict(params, np.asarray(z_std, dtype=self.dtype).reshape(-1, 1)).ravel().astype(np.float64)

    def critic(self, x_std: np.ndarray) -> np.ndarray:
        return FlatMLP.predict(self.D.params, np.asarray(x_std, dtype=self.dtype).reshape(-1, 1)).ravel().astype(np.float64)

    def finite(self) -> bool:
        return bool(np.isfinite(self.G.flat).all() and np.isfinite(self.D.flat).all() and np.isfinite(self.ema_flat).all())

    def snapshot(self):
        return (
            self.G.flat.copy(),
            self.D.flat.copy(),
            {k: [a[0].copy(), a[1].copy(), a[2]] for k, a in self._adam.items()},
            self.ema_flat.copy(),
            self.g_updates,
        )

    def restore(self, snap) -> None:
        g, d, adam, ema, updates = snap
        self.G.flat[...] = g
        self.D.flat[...] = d
        for k, (m, v, t) in adam.items():
            self._adam[k][0][...] = m
            self._adam[k][1][...] = v
            self._adam[k][2] = t
        self.ema_flat[...] = ema
        self.g_updates = updates


def ema_decay(decay: float, updates: int) -> float:
    """EMA decay with warm-up: min(decay, (1 + t)/(10 + t)), so the average is not dragged towards
    the random initial weights for the first hundreds of steps."""
    return min(decay, (1.0 + updates) / (10.0 + updates)) if decay > 0 else 0.0


class TorchEngine:
    """The textbook loop: nn.Sequential networks, autograd, torch.optim.Adam (the reference)."""

    def __init__(self, config: Mapping1DConfig, stream: DataStream, rng: np.random.Generator,
                 device: str | torch.device = "cpu", dtype=torch.float32):
        self.cfg, self.stream, self.device, self.dtype = config, stream, torch.device(device), dtype
        # Same initial weights as NumpyEngine for the same seed (drawn by the same FlatMLP code).
        self._layout = FlatMLP(config.width, rng)
        d_layout = FlatMLP(config.width, rng)
        self._layout.params[5][...] += config.g_start
        self.G = torch_mlp(config.width).to(self.device, dtype)
        self.D = torch_mlp(config.width).to(self.device, dtype)
        copy_flat_to_torch(self._layout, self.G)
        copy_flat_to_torch(d_layout, self.D)
        betas = (config.beta1, config.beta2)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g, betas=betas, eps=ADAM_EPS)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d, betas=betas, eps=ADAM_EPS)
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)
        self.g_updates = 0

    def _t(self, a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=self.dtype, device=self.device)

    def d_step(self):
        cfg, loss = self.cfg, self.cfg.loss
        x_real, z, eps = (self._t(a) for a in self.stream.next())
        x_fake = self.G(z)
        out_real, out_fake = self.D(x_real), self.D(x_fake.detach())
        d_loss = L.torch_discriminator_loss(loss, out_real, out_fake)
        if loss == "wgan_gp":
            d_loss = d_loss + L.torch_gradient_penalty(self.D, x_real, x_fake.detach(), eps, cfg.gp_weight)
        elif cfg.r1 > 0:
            d_loss = d_loss + L.torch_r1_penalty(self.D, x_real, cfg.r1)
        self.opt_d.zero_grad()
        d_loss.backward()
        self.opt_d.step()
        return d_loss, out_real, out_fake, x_fake, None

    def step(self):
        cfg, loss = self.cfg, self.cfg.loss
        for _ in range(cfg.d_steps):
            d_loss, out_real, out_fake, x_fake, _ = self.d_step()
        x_fake.retain_grad()
        g_loss = L.torch_generator_loss(loss, self.D(x_fake))
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()
        self.g_updates += 1
        decay = ema_decay(cfg.ema, self.g_updates)
        with torch.no_grad():
            for p_ema, p in zip(self.G_ema.parameters(), self.G.parameters()):
                p_ema.mul_(decay).add_(p, alpha=1.0 - decay)
        n = len(x_fake)
        prob = loss in L.PROBABILITY_LOSSES
        summary = (lambda o: torch.sigmoid(o).mean()) if prob else (lambda o: o.mean())
        return (
            float(d_loss.detach()),
            float(g_loss.detach()),
            float(summary(out_real.detach())),
            float(summary(out_fake.detach())),
            float(x_fake.grad.abs().mean()) * n,
            float(x_fake.detach().abs().max()),
        )

    def sample_gradient(self, loss: str, x_std: np.ndarray) -> np.ndarray:
        x = self._t(np.asarray(x_std).reshape(-1, 1)).requires_grad_(True)
        (grad,) = torch.autograd.grad(L.torch_generator_loss(loss, self.D(x)) * len(x), x)
        return grad.double().cpu().numpy().ravel()

    def generator_gradient(self, loss: str, z_std: np.ndarray) -> float:
        with torch.no_grad():
            x = self.G(self._t(np.asarray(z_std).reshape(-1, 1)))
        return float(np.abs(self.sample_gradient(loss, x.cpu().numpy())).mean())

    @torch.no_grad()
    def generator(self, z_std: np.ndarray, ema: bool = True) -> np.ndarray:
        net = self.G_ema if ema and self.cfg.ema > 0 else self.G
        return net(self._t(np.asarray(z_std).reshape(-1, 1))).double().cpu().numpy().ravel()

    @torch.no_grad()
    def critic(self, x_std: np.ndarray) -> np.ndarray:
        return self.D(self._t(np.asarray(x_std).reshape(-1, 1))).double().cpu().numpy().ravel()

    def finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) for net in (self.G, self.D, self.G_ema) for p in net.parameters())

    def snapshot(self):
        return copy.deepcopy((self.G.state_dict(), self.D.state_dict(), self.opt_g.state_dict(),
                              self.opt_d.state_dict(), self.G_ema.state_dict(), self.g_updates))

    def restore(self, snap) -> None:
        g, d, og, od, ema, updates = copy.deepcopy(snap)
        self.G.load_state_dict(g)
        self.D.load_state_dict(d)
        self.opt_g.load_state_dict(og)
        self.opt_d.load_state_dict(od)
        self.G_ema.load_state_dict(ema)
        self.g_updates = updates


class Mapping1DTrainer:
    """One 1-D GAN run: `step(n)` advances it, histories are capped, `reset()` starts over."""

    def __init__(self, config: Mapping1DConfig, device: str = "cpu", *, engine: str | None = None,
                 log_every: int = 10, w1_every: int = 50, history_capacity: int = 2000,
                 snapshot_every: int = 200):
        ensure_valid(config)
        self.config = copy.deepcopy(config)
        self.device = str(device)
        if engine is None:
            # Tiny networks: the hand-written NumPy path is fastest on CPU; CUDA runs the torch loop.
            engine = "torch" if torch.device(self.device).type != "cpu" else "numpy"
        if engine not in ("numpy", "torch"):
            raise ValueError(f"engine must be 'numpy' or 'torch', got {engine!r}")
        self.engine_name = engine
        self.numpy_dtype = np.float32
        self.log_every = int(log_every)
        self.w1_every = int(w1_every)
        self.snapshot_every = int(snapshot_every)
        self.history = CappedHistory(HISTORY_SERIES, capacity=history_capacity)
        self.reset()

    # --- setup ----------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Start over from fresh weights (same seed + same settings = the same run)."""
        if seed is not None:
            self.config = dataclasses.replace(self.config, seed=int(seed))
        cfg = self.config
        self.target = parse_target(cfg.target)
        self.discriminator_is_probability = cfg.loss in L.PROBABILITY_LOSSES
        rng = np.random.default_rng(cfg.seed)
        init_rng, data_rng = rng.spawn(2)
        self.stream = DataStream(self.target, cfg.noise, cfg.batch_size, data_rng, dtype=self.numpy_dtype if self.engine_name == "numpy" else np.float64)
        if self.engine_name == "numpy":
            self.engine = NumpyEngine(cfg, self.stream, init_rng, dtype=self.numpy_dtype)
        else:
            self.engine = TorchEngine(cfg, self.stream, init_rng, device=self.device)
        self.steps = 0
        self.status = "ok"
        self.message = ""
        self.history.clear()
        self._acc = [0.0] * 5
        self._acc_n = 0
        self._train_seconds = 0.0
        self.steps_per_second = 0.0
        # Fixed evaluation points: W1 by quadrature over noise quantiles (no sampling noise).
        u = midpoint_quantiles(W1_POINTS)
        self._w1_z = noise_to_standard(noise_quantile(u, cfg.noise), cfg.noise)
        self._w1_q = self.target.inverse_cdf(u)
        self._fixed_seed = cfg.seed
        self._last_good = None
        self._take_snapshot()

    # --- training -------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        """n generator steps (each after `d_steps` discriminator steps). Stops early on divergence."""
        if self.status != "ok":
            return
        t0 = time.perf_counter()
        # Overflow on the way to a divergence is expected and detected below; no warning spam.
        with self._blas(), np.errstate(over="ignore", invalid="ignore"):
            done = self._steps(int(n))
        elapsed = time.perf_counter() - t0
        self._train_seconds += elapsed
        if done and elapsed > 0:
            rate = done / elapsed
            self.steps_per_second = rate if self.steps_per_second == 0 else 0.7 * self.steps_per_second + 0.3 * rate

    def _steps(self, n: int) -> int:
        done = 0
        engine, acc = self.engine, self._acc
        for _ in range(n):
            d_loss, g_loss, d_real, d_fake, g_grad, g_max = engine.step()
            self.steps += 1
            done += 1
            if not (math.isfinite(d_loss) and math.isfinite(g_loss) and math.isfinite(g_grad)) or not g_max < EXPLODED:
                self._diverged(d_loss, g_loss, g_max)
                break
            acc[0] += d_loss
            acc[1] += g_loss
            acc[2] += d_real
            acc[3] += d_fake
            acc[4] += g_grad
            self._acc_n += 1
            if self.steps % self.log_every == 0:
                self._log_row()
            if self.steps % self.snapshot_every == 0:
                if engine.finite():
                    self._take_snapshot()
                else:
                    self._diverged(d_loss, g_loss, g_max)
                    break
        return done

    def train_discriminator(self, n: int) -> None:
        """n discriminator updates with G frozen: "let D win" (shows the minimax loss saturating).
        Not recorded in the history; the step counter (G steps) does not move."""
        if self.status != "ok":
            return
        with one_blas_thread() if self.engine_name == "numpy" else contextlib.nullcontext():
            for _ in range(int(n)):
                d_loss = float(self.engine.d_step()[0])
                if not math.isfinite(d_loss):
                    self._diverged(d_loss, 0.0, 0.0)
                    return

    def generator_gradient(self, loss: str | None = None, n: int = 512) -> float:
        """Mean |∂ℓ_i/∂x_i| (data units) that G's loss `loss` (default: the configured one) would send
        to G's samples right now, on fixed noise. Trains nothing."""
        loss = self.config.loss if loss is None else loss
        if loss not in L.LOSS_NAMES:
            raise ValueError(f"unknown loss {loss!r}")
        z = self.sample_noise(n, np.random.default_rng([self._fixed_seed, 4]))
        with self._blas():
            grad_std = self.engine.generator_gradient(loss, noise_to_standard(z, self.config.noise))
        return grad_std / self.target.std

    def run_for(self, budget_seconds: float, max_steps: int) -> int:
        """As many steps as fit in `budget_seconds` (at most `max_steps`): one live tick's work.

        Chunks are sized from the measured step rate so that most of the budget goes in one call,
        then ever smaller chunks fill the rest: a busy machine gets fewer steps, never a late tick."""
        start = time.perf_counter()
        max_steps = int(max_steps)
        done = 0
        rate = self.steps_per_second
        while done < max_steps and self.status == "ok":
            remaining = budget_seconds - (time.perf_counter() - start)
            if remaining <= 0:
                break
            chunk = int(rate * remaining * 0.5) if rate > 0 else 4
            if chunk < 1:
                if done:
                    break  # not even one step fits in what is left
                # A slow measured rate (a busy moment, a large network) must not freeze the run:
                # every tick trains at least one step, which also re-measures the rate.
                chunk = 1
            before = self.steps
            self.step(min(chunk, max_steps - done))
            if self.steps == before:
                break
            done += self.steps - before
            rate = done / max(time.perf_counter() - start, 1e-9)
        return done

    def _log_row(self) -> None:
        n = max(self._acc_n, 1)
        row = {name: total / n for name, total in zip(("d_loss", "g_loss", "d_real", "d_fake", "g_grad"), self._acc)}
        row["g_grad"] = row["g_grad"] / self.target.std  # per unit of x in data units
        row["step"] = self.steps
        if self.steps % self.w1_every == 0:
            row["w1"] = self.w1()
        self.history.append(row)
        self._acc[:] = [0.0] * 5  # in place: _steps holds a reference
        self._acc_n = 0

    def _diverged(self, d_loss: float, g_loss: float, g_max: float) -> None:
        self.status = "diverged"
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            what = "a loss became NaN or infinite"
        elif not g_max < EXPLODED:
            what = f"the generator's outputs exploded (|G(z)| reached {g_max:.3g} target standard deviations)"
        else:
            what = "a network weight became NaN or infinite"
        self.message = (
            f"Training diverged at step {self.steps}: {what}. This usually means a learning rate is too large "
            f"for this loss. Restore the last good state (step {self._last_good['steps']}) or reset, "
            f"and try smaller learning rates."
        )

    def _take_snapshot(self) -> None:
        self._last_good = {
            "engine": self.engine.snapshot(),
            "stream": self.stream.state(),
            "steps": self.steps,
            "history": copy.deepcopy(self.history),
            "acc": (list(self._acc), self._acc_n),
        }

    def restore_last_good(self) -> None:
        """Go back to the last snapshot with finite weights (taken every `snapshot_every` steps)."""
        snap = self._last_good
        self.engine.restore(snap["engine"])
        self.stream.load(snap["stream"])
        self.steps = snap["steps"]
        self.history = copy.deepcopy(snap["history"])
        self._acc, self._acc_n = list(snap["acc"][0]), snap["acc"][1]
        self.status = "ok"
        self.message = ""

    @property
    def last_good_step(self) -> int:
        return int(self._last_good["steps"])

    # --- reading the model ----------------------------------------------------------------
    def _blas(self):
        return one_blas_thread() if self.engine_name == "numpy" else contextlib.nullcontext()

    def _to_data(self, x_std: np.ndarray) -> np.ndarray:
        return self.target.mean + self.target.std * x_std

    def generator_map(self, z: np.ndarray) -> np.ndarray:
        """G(z) in data units for raw noise values z (EMA weights when EMA is on)."""
        z = np.asarray(z, dtype=np.float64)
        with self._blas():
            x_std = self.engine.generator(noise_to_standard(z.ravel(), self.config.noise))
        return self._to_data(x_std).reshape(z.shape)

    def ideal_map(self, z: np.ndarray) -> np.ndarray:
        """The monotone map that turns the noise into the target exactly: F⁻¹(noise CDF(z))."""
        return ideal_map(self.target, z, self.config.noise)

    def sample_noise(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.random(int(n)) if self.config.noise == "uniform" else rng.standard_normal(int(n))

    def generate(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """n samples G(z). Without rng the noise is the same on every call, so a chart of them only
        changes when G does."""
        rng = np.random.default_rng([self._fixed_seed, 1]) if rng is None else rng
        return self.generator_map(self.sample_noise(n, rng))

    def real_samples(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """n samples of the target (the same ones on every call unless rng is given)."""
        rng = np.random.default_rng([self._fixed_seed, 2]) if rng is None else rng
        return self.target.sample(int(n), rng)

    def discriminator_curve(self, x: np.ndarray) -> np.ndarray:
        """D(x) over data-unit x: a probability for the BCE losses, the raw score otherwise."""
        x = np.asarray(x, dtype=np.float64)
        with self._blas():
            out = self.engine.critic((x.ravel() - self.target.mean) / self.target.std)
        if self.discriminator_is_probability:
            out = L.sigmoid(out)
        return out.reshape(x.shape)

    def generator_push(self, x: np.ndarray, loss: str | None = None) -> np.ndarray:
        """−∂ℓ/∂x per sample at data-unit points x: the direction and strength with which G's loss
        (default: the configured one) pushes a generated sample sitting at x. Exact (backprop through D)."""
        loss = self.config.loss if loss is None else loss
        if loss not in L.LOSS_NAMES:
            raise ValueError(f"unknown loss {loss!r}")
        x = np.asarray(x, dtype=np.float64)
        with self._blas():
            grad_std = self.engine.sample_gradient(loss, (x.ravel() - self.target.mean) / self.target.std)
        return (-grad_std / self.target.std).reshape(x.shape)

    def w1(self) -> float:
        """W1(G's distribution, target) in data units, by quadrature over W1_POINTS noise quantiles."""
        with self._blas():
            x = np.sort(self.engine.generator(self._w1_z))
        if not np.all(np.isfinite(x)):
            return float("inf")
        return float(np.abs(self._to_data(x) - self._w1_q).mean())

    @property
    def train_seconds(self) -> float:
        """Wall-clock seconds spent inside step() since the last reset."""
        return self._train_seconds
