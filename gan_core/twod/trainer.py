"""A 2-D GAN you can drive step by step: the general core under the mode-collapse lesson and the 2-D playground.

    t = TwoDTrainer(TwoDConfig(), data)        # data: (N, 2) points, or an object with .sample(n, rng)
    t.run_for(0.015)                            # one live tick: always ≥ 1 step
    t.generate(z), t.discriminator(points), t.g_loss_gradient(points)

`engine="numpy"` (default) is the hand-written fast path (engine.py); `engine="torch"` the plain autograd loop
(reference.py), which is also used for the exact second-order unrolled D. Both read the same data stream and
start from the same weights, so they follow the same run up to float rounding.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from gan_core.device import one_blas_thread
from gan_core.history import CappedHistory
from gan_core.settings_spec import ensure_valid
from gan_core.twod import losses as L
from gan_core.twod.config import TwoDConfig
from gan_core.twod.engine import NumpyEngine
from gan_core.twod.targets import as_target

BASE_SERIES = ("step", "d_loss", "g_loss", "d_real", "d_fake")
SNAPSHOT_EVERY = 200
EXPLODED = 1e4  # |generated coordinate| beyond this: G has run off
MAX_CHUNK = 64  # steps between clock checks in run_for


class Batch(NamedTuple):
    real: np.ndarray  # (B·m, 2)
    z: np.ndarray  # (B·m, noise_dim)
    eps: np.ndarray  # (B·m, 1) WGAN-GP mixing weights


class DataStream:
    """Real points, noise and mixing weights drawn in blocks from one seeded generator; the sequence of batches
    does not depend on how steps are chunked."""

    BLOCK = 32

    def __init__(self, target, cfg: TwoDConfig, rng: np.random.Generator, dtype):
        self.target, self.cfg, self.rng, self.dtype = target, cfg, rng, dtype
        self.n = cfg.batch_size * cfg.pack
        self._pos = self.BLOCK
        self._blocks = None

    def noise(self, n: int, rng: np.random.Generator) -> np.ndarray:
        shape = (n, self.cfg.noise_dim)
        if self.cfg.noise == "uniform":
            z = rng.random(shape, dtype=self.dtype)
            z *= 2.0
            z -= 1.0
            return z
        return rng.standard_normal(shape, dtype=self.dtype)

    def _refill(self) -> None:
        n, k = self.n, self.BLOCK
        real = np.asarray(self.target.sample(n * k, self.rng), dtype=self.dtype).reshape(k, n, 2)
        z = self.noise(n * k, self.rng).reshape(k, n, -1)
        eps = self.rng.random((k, n, 1), dtype=self.dtype)
        self._blocks, self._pos = (real, z, eps), 0

    def next(self) -> Batch:
        if self._pos >= self.BLOCK:
            self._refill()
        i = self._pos
        self._pos += 1
        return Batch(*(b[i] for b in self._blocks))

    def state(self):
        return (self.rng.bit_generator.state, self._pos, self._blocks)

    def load(self, state) -> None:
        rng_state, self._pos, self._blocks = state
        self.rng.bit_generator.state = rng_state


def _seeded(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), stream])


class TwoDTrainer:
    def __init__(self, config: TwoDConfig, data, *, history_capacity: int = 2000, record_every: int = 25,
                 metrics: Callable[["TwoDTrainer"], dict] | None = None, metric_names: Iterable[str] = (),
                 engine: str | None = None, dtype=np.float32, device: str = "cpu"):
        ensure_valid(config)
        self.config = config
        self.target = as_target(data)
        self.record_every = max(1, int(record_every))
        self.metrics = metrics
        self.history = CappedHistory(BASE_SERIES + tuple(metric_names), capacity=history_capacity)
        if engine is None:
            engine = "torch" if config.unroll and config.unroll_order == "second" else "numpy"
        if engine == "numpy" and config.unroll and config.unroll_order == "second":
            raise ValueError("The second-order unrolled D needs engine='torch'.")
        if engine not in ("numpy", "torch"):
            raise ValueError(f"unknown engine {engine!r}")
        self.engine_name, self.dtype, self.device = engine, dtype, device
        self.reset()

    # ---------------------------------------------------------------- state

    def reset(self) -> None:
        c = self.config
        if self.engine_name == "numpy":
            self.engine = NumpyEngine(c, _seeded(c.seed, 0), self.dtype)
        else:
            from gan_core.twod.reference import TorchEngine

            self.engine = TorchEngine(c, _seeded(c.seed, 0), self.dtype, self.device)
        self.stream = DataStream(self.target, c, _seeded(c.seed, 1), self.dtype)
        self._sample_rng = _seeded(c.seed, 2)
        self._real_stat = None
        self.steps = 0
        self.seconds = 0.0
        self.status, self.message = "ok", ""
        self.history.clear()
        self._sums = np.zeros(4)
        self._count = 0
        self._per_step = None
        self.last_fake = None
        self._last_good = self.snapshot()

    @property
    def d_output_kind(self) -> str:
        return "probability" if L.probability_output(self.config.loss) else "score"

    def snapshot(self) -> dict:
        return {"engine": self.engine.state(), "stream": self._copy_stream_state(), "steps": self.steps,
                "seconds": self.seconds}

    def _copy_stream_state(self):
        import copy

        return copy.deepcopy(self.stream.state())

    def restore(self, snap: dict) -> None:
        import copy

        self.engine.load(snap["engine"])
        self.stream.load(copy.deepcopy(snap["stream"]))
        self.steps, self.seconds = snap["steps"], snap["seconds"]
        self.status, self.message = "ok", ""

    def restore_last_good(self) -> None:
        self.restore(self._last_good)

    @property
    def last_good_step(self) -> int:
        return self._last_good["steps"]

    # ---------------------------------------------------------------- training

    def sample_batch(self) -> Batch:
        """The next training batch (consumes it from the stream)."""
        return self.stream.next()

    def step_discriminator(self, batch: Batch | None = None) -> float:
        """One D update only (on `batch`, or the next one of the stream)."""
        if self.status != "ok":
            return float("nan")
        with one_blas_thread(), np.errstate(all="ignore"):
            loss, *_ = self._timed(lambda: self.engine.d_update(batch if batch is not None else self.stream.next()))
        self._check(loss)
        return loss

    def step_generator(self, z: np.ndarray | None = None) -> float:
        """One G update only (on noise `z`, or the next batch's)."""
        if self.status != "ok":
            return float("nan")
        z = self.stream.next().z if z is None else np.asarray(z, dtype=self.dtype)
        lookahead = [self.stream.next() for _ in range(self.config.unroll)] or None
        with one_blas_thread(), np.errstate(all="ignore"):
            loss = self._timed(lambda: self.engine.g_update(z, None, lookahead))
        self._check(loss)
        return loss

    def _timed(self, fn):
        started = time.perf_counter()
        try:
            return fn()
        finally:
            self.seconds += time.perf_counter() - started

    def _check(self, *losses: float) -> bool:
        bad = [x for x in losses if not math.isfinite(x)]
        if bad:
            self._diverged(f"a loss became {bad[0]}")
            return False
        return True

    def step(self, n: int = 1) -> int:
        """n training steps (each: d_steps D updates, then one G update). Returns how many were done."""
        done = 0
        started = time.perf_counter()
        with one_blas_thread(), np.errstate(all="ignore"):  # a diverging run is caught below, not warned about
            try:
                for _ in range(int(n)):
                    if self.status != "ok" or not self._one_step():
                        break
                    done += 1
            finally:
                spent = time.perf_counter() - started
                self.seconds += spent
        if done:
            per = spent / done
            self._per_step = per if self._per_step is None else 0.7 * self._per_step + 0.3 * per
        return done

    def _one_step(self) -> bool:
        c, eng = self.config, self.engine
        for _ in range(c.d_steps):
            batch = self.stream.next()
            d_loss, d_real, d_fake, fake_cache = eng.d_update(batch)
        lookahead = [self.stream.next() for _ in range(c.unroll)] or None
        g_loss = eng.g_update(batch.z, fake_cache, lookahead)
        self.steps += 1
        if not self._check(d_loss, g_loss):
            return False
        self._sums += (d_loss, g_loss, d_real, d_fake)
        self._count += 1
        if self.steps % self.record_every == 0:
            fake = fake_cache[0] if fake_cache is not None else eng.generate(batch.z, raw=True)
            self.last_fake = fake
            if not np.isfinite(fake).all() or np.abs(fake).max() > EXPLODED:
                self._diverged("G's samples ran off to infinity")
                return False
            self._record()
            if self.steps % SNAPSHOT_EVERY == 0:
                self._last_good = self.snapshot()
        return True

    def _record(self) -> None:
        mean = self._sums / max(1, self._count)
        row = dict(zip(("d_loss", "g_loss", "d_real", "d_fake"), mean), step=self.steps)
        if self.metrics is not None:
            row.update(self.metrics(self))
        self.history.append(row)
        self._sums[:] = 0
        self._count = 0

    def _diverged(self, why: str) -> None:
        self.status = "diverged"
        self.message = (f"Training diverged at step {self.steps}: {why}. Lower the learning rates, or restore "
                        f"the last good state (step {self.last_good_step}).")

    def run_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Train for about `seconds` of wall time (one live tick): at least one step whenever the run is ok."""
        deadline = time.perf_counter() + float(seconds)
        done = 0
        while self.status == "ok" and (max_steps is None or done < max_steps):
            left = deadline - time.perf_counter()
            if done and left <= 0:
                break
            # aim at 3/4 of what is left: the step time wanders on a busy machine, so do not overshoot
            chunk = 1 if self._per_step is None else max(1, int(0.75 * left / self._per_step))
            chunk = min(chunk, MAX_CHUNK, (max_steps - done) if max_steps is not None else MAX_CHUNK)
            got = self.step(chunk)
            done += got
            if got == 0:
                break
        return done

    # ---------------------------------------------------------------- looking at the run

    def sample_noise(self, m: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """m noise vectors: U(−1, 1)^k or N(0, 1)^k (own generator unless `rng` is given)."""
        return self.stream.noise(int(m), rng if rng is not None else self._sample_rng)

    def generate(self, z: np.ndarray, raw: bool = False) -> np.ndarray:
        """G(z) for given noise (M, noise_dim) → (M, 2) float64; no side effects. With config.ema > 0 this is
        the averaged G (what is drawn and measured); raw=True gives G's own current weights."""
        z = np.asarray(z, dtype=self.dtype).reshape(-1, self.config.noise_dim)
        with one_blas_thread():
            return self.engine.generate(z, raw)

    def sample(self, m: int) -> np.ndarray:
        return self.generate(self.sample_noise(m))

    def real_stat(self) -> float | None:
        """The minibatch-std feature of a fixed real batch (what D sees for a grid point), or None."""
        if not self.config.mbstd:
            return None
        if self._real_stat is None:
            from gan_core.twod.nets import batch_std

            pts = np.asarray(self.target.sample(512, _seeded(self.config.seed, 3)), dtype=np.float64)
            self._real_stat = batch_std(pts)[0]
        return self._real_stat

    def discriminator_raw(self, points: np.ndarray) -> np.ndarray:
        """D's raw output (logit / score) per point; a point is judged as a pack of m copies of itself, and the
        minibatch-std feature is that of real data."""
        with one_blas_thread():
            return self.engine.discriminator_raw(np.asarray(points, dtype=self.dtype).reshape(-1, 2), self.real_stat())

    def discriminator(self, points: np.ndarray) -> np.ndarray:
        """D as the page shows it: a probability sigmoid(logit) for the cross-entropy losses, else the score."""
        raw = self.discriminator_raw(points)
        return L.sigmoid(raw) if self.d_output_kind == "probability" else raw

    def g_loss_gradient(self, points: np.ndarray) -> np.ndarray:
        """∂ℓ_G/∂x at each point (M, 2), the points taken as one fake batch (packed in order; the last pack is
        padded by wrapping). G moves its samples along MINUS this."""
        pts = np.asarray(points, dtype=self.dtype).reshape(-1, 2)
        n, m = len(pts), self.config.pack
        if n == 0:
            return np.zeros((0, 2))
        padded = np.resize(pts, (-(-n // m) * m, 2)) if n % m else pts
        with one_blas_thread():
            return self.engine.g_loss_gradient(padded)[:n]
