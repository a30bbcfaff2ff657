"""CGANTrainer: one visible GAN loop (D step, then G step) that advances in bounded chunks.

The page calls `run_for(budget)` once per tick; the CLI calls it in a loop. Every epoch (one pass's
worth of real digits) it renders a fixed-z sample grid, so a class can watch digits emerge from noise.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from gan_core.history import CappedHistory
from gan_core.seeding import seed_everything
from gan_core.settings_spec import ensure_valid

from .config import CGANConfig
from .mnist import NUM_CLASSES, Digits, load_split
from .models import Discriminator, Generator

# d_real / d_fake: D's mean output on real and on generated digits — a probability in [0, 1] for the
# sigmoid + BCE loss (the lectures' D), a raw score for hinge (see CGANTrainer.shows_probability).
HISTORY_SERIES = ("step", "epoch", "seconds", "d_loss", "g_loss", "d_real", "d_fake")
SNAPSHOT_ROWS = 4  # fixed z's per class in the snapshot grid
MAX_SNAPSHOTS = 24
# Digits emerge within the first epoch or two with the defaults, so snapshots are also taken at these
# steps (kept for the whole run), on top of one per epoch.
STEP_MARKS = (25, 50, 75, 100, 150, 200, 300, 500, 1000)


_TENSORS: dict[tuple[int, str], tuple[Digits, torch.Tensor, torch.Tensor]] = {}


def training_tensors(data: Digits, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Real digits scaled to [-1, 1] as (N, 1, 28, 28) plus labels, on `device`. Shared by every trainer
    on the same data (read-only), so thirty classroom sessions don't hold thirty copies."""
    key = (id(data), str(device))
    if key not in _TENSORS or _TENSORS[key][0] is not data:
        if len(_TENSORS) >= 4:
            _TENSORS.pop(next(iter(_TENSORS)))
        real = torch.from_numpy(data.images * 2 - 1).unsqueeze(1).to(device)
        _TENSORS[key] = (data, real, torch.from_numpy(data.labels).to(device))
    return _TENSORS[key][1], _TENSORS[key][2]


def shift_batch(images: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Translate the whole batch by one random offset (zero fill) per call — applied identically in
    kind to real and fake digits, so D cannot tell them apart by position (DiffAugment-style)."""
    dx, dy = torch.randint(-max_shift, max_shift + 1, (2,), generator=generator).tolist()
    return torch.roll(images, shifts=(dy, dx), dims=(2, 3))


def shift_offsets(n: int, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """(2, n) random offsets in [0, 2·max_shift] (x first, then y): shift_each's draws, in its order."""
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    return torch.stack([dx, dy])


def shift_by(images: torch.Tensor, offsets: torch.Tensor, max_shift: int = 2) -> torch.Tensor:
    """Image i moved by offsets[:, i] - max_shift (zero fill). One gather from the padded images: the same
    values as indexing with row and column ramps, at a third of the CPU (forward and backward)."""
    n, side = images.shape[0], images.shape[-1]
    padded_side = side + 2 * max_shift
    padded = F.pad(images, (max_shift,) * 4).view(n, padded_side * padded_side)
    ramp = torch.arange(side, device=images.device)
    window = (ramp[:, None] * padded_side + ramp[None, :]).view(1, side * side)  # the unshifted pixels
    offsets = offsets.to(images.device)
    start = offsets[1] * padded_side + offsets[0]  # (n,) where each digit's 28 x 28 window begins
    return padded.gather(1, window + start[:, None]).view(n, 1, side, side)


def shift_each(images: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Translate every image by its own random offset in [-max_shift, max_shift]² (zero fill)."""
    return shift_by(images, shift_offsets(images.shape[0], generator, max_shift), max_shift)


def d_loss_fn(kind: str, real_score: torch.Tensor, fake_score: torch.Tensor) -> torch.Tensor:
    if kind == "hinge":
        return F.relu(1 - real_score).mean() + F.relu(1 + fake_score).mean()
    return F.softplus(-real_score).mean() + F.softplus(fake_score).mean()  # BCE with logits


def g_loss_fn(kind: str, fake_score: torch.Tensor) -> torch.Tensor:
    if kind == "hinge":
        return -fake_score.mean()
    return F.softplus(-fake_score).mean()  # non-saturating: -log D(G(z, y))


def mode_seeking_penalty(fake: torch.Tensor, z: torch.Tensor, pairs: int) -> torch.Tensor:
    """1 / (mean image distance per unit latent distance) over the pairs (i, n - pairs + i) that share a
    label (Mao et al. 2019, L1 distances). Small when two z's give clearly different digits."""
    a, b = fake[:pairs], fake[len(fake) - pairs:]
    za, zb = z[:pairs], z[len(z) - pairs:]
    ratio = (a - b).abs().flatten(1).mean(1) / (za - zb).abs().mean(1)
    return 1.0 / (ratio.mean() + 1e-5)


def _cloned(state):
    """A copy of nested dicts / lists with every tensor cloned: what copy.deepcopy gives a state_dict, at
    a fraction of its cost (the divergence guard takes one every 50 steps)."""
    if isinstance(state, torch.Tensor):
        return state.clone()
    if isinstance(state, dict):
        return {k: _cloned(v) for k, v in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_cloned(v) for v in state)
    return state


class CGANTrainer:
    def __init__(self, config: CGANConfig | None = None, device: str | torch.device = "cpu", data: Digits | None = None):
        self.config = config or CGANConfig()
        ensure_valid(self.config)
        self.device = torch.device(device)
        self.data = data if data is not None else load_split()[0]
        self._real, self._labels = training_tensors(self.data, self.device)
        self.reset(self.config.seed)

    # ----- lifecycle -------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        if seed is not None:  # a new config: the caller's object is never changed behind its back
            self.config = dataclasses.replace(self.config, seed=int(seed))
        cfg = self.config
        self._gen = seed_everything(cfg.seed)
        self.generator = Generator(cfg.latent_dim, cfg.width, cfg.batch_norm).to(self.device)
        self.discriminator = Discriminator(cfg.d_width).to(self.device)
        self.ema_generator = copy.deepcopy(self.generator).requires_grad_(False).eval()
        betas = (cfg.beta1, 0.999)
        # foreach: one call per kind of update for all parameters, not ~8 per parameter (the same numbers;
        # PyTorch picks it by itself only on GPUs)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr_g, betas=betas, foreach=True)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=cfg.lr_d, betas=betas, foreach=True)
        self._ema_pairs = (list(self.ema_generator.parameters()), list(self.generator.parameters()),
                           list(self.ema_generator.buffers()), list(self.generator.buffers()))
        self.steps = 0
        self.seconds = 0.0  # training time only (not rendering)
        self.history = CappedHistory(HISTORY_SERIES, capacity=2000)
        self.status = "ok"
        self.message = ""
        self._last_good = None
        # fixed z for the snapshot grid: SNAPSHOT_ROWS styles x 10 digits, from its own stream
        fixed = torch.Generator().manual_seed(cfg.seed + 1)
        self.fixed_z = torch.randn(SNAPSHOT_ROWS, cfg.latent_dim, generator=fixed).to(self.device)
        self.snapshots: list[dict] = []
        self._perm = torch.empty(0, dtype=torch.long)
        self._cursor = 0
        self._recent_rate = 0.0
        self._step_seconds = 0.0  # EWMA of one step's CPU time: run_within starts a step only if it fits
        self._carry = 0.0  # run_within: a share too short for one step (or an overshoot) moves to the next call
        self._take_snapshot()

    @property
    def steps_per_epoch(self) -> int:
        return max(1, len(self.data) // self.config.batch_size)

    @property
    def epoch(self) -> float:
        return self.steps / self.steps_per_epoch

    @property
    def shows_probability(self) -> bool:
        """True when d_real / d_fake are probabilities (BCE: sigmoid of D's logit); False for hinge scores."""
        return self.config.loss != "hinge"

    @property
    def steps_per_second(self) -> float:
        return self._recent_rate

    @property
    def step_seconds(self) -> float:
        """One step's CPU time as run_within measures it (an EWMA; 0 before the first step)."""
        return self._step_seconds

    # ----- the GAN loop ----------------------------------------------------------------------
    def _next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        bs = self.config.batch_size
        if self._cursor + bs > len(self._perm):
            self._perm = torch.randperm(len(self._labels), generator=self._gen).to(self.device)
            self._cursor = 0
        idx = self._perm[self._cursor:self._cursor + bs]
        self._cursor += bs
        return self._real.index_select(0, idx), self._labels.index_select(0, idx)  # = [idx], without advanced indexing

    def _sample_prior(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.config.latent_dim, generator=self._gen).to(self.device)

    def _one_step(self) -> dict[str, float]:
        cfg = self.config
        real, labels = self._next_batch()
        n = len(labels)
        z = self._sample_prior(n)
        pairs = n // 2 if cfg.mode_seeking > 0 else 0
        if pairs:
            # fake i and fake n - pairs + i share a label (for even n: the two halves of the batch)
            first = torch.randint(0, NUM_CLASSES, (n - pairs,), generator=self._gen)
            fake_labels = torch.cat([first, first[:pairs]]).to(self.device)
        else:
            fake_labels = torch.randint(0, NUM_CLASSES, (n,), generator=self._gen).to(self.device)
        fake = self.generator(z, fake_labels)

        # 1) discriminator: real digits of class y up, generated digits of class y down (G fixed).
        # One forward pass for both halves (D has no batch statistics, so this equals two passes).
        scores, class_logits = self.discriminator(
            self._augment(real, fake.detach()), torch.cat([labels, fake_labels]), with_class=True)
        real_score, fake_score = scores[:n], scores[n:]
        d_loss = d_loss_fn(cfg.loss, real_score, fake_score)
        d_total = d_loss
        if cfg.class_loss > 0:  # D learns to name *real* digits only, so G cannot teach it wrong names
            d_total = d_loss + cfg.class_loss * F.cross_entropy(class_logits[:n], labels)
        self.opt_d.zero_grad(set_to_none=True)
        d_total.backward()
        self.opt_d.step()

        # 2) generator: make D call its digits real, of the class asked for (D fixed: no graph is recorded
        # for D's weights, and G's backward computes no gradient D's next zero_grad would throw away)
        self.discriminator.requires_grad_(False)
        try:
            g_score, g_class = self.discriminator(self._augment(fake), fake_labels, with_class=True)
        finally:
            self.discriminator.requires_grad_(True)
        g_loss = g_loss_fn(cfg.loss, g_score)
        g_total = g_loss
        if cfg.class_loss > 0:
            g_total = g_total + cfg.class_loss * F.cross_entropy(g_class, fake_labels)
        if pairs:
            g_total = g_total + cfg.mode_seeking * mode_seeking_penalty(fake, z, pairs)
        self.opt_g.zero_grad(set_to_none=True)
        g_total.backward()
        self.opt_g.step()
        self._update_ema()

        self.steps += 1
        with torch.no_grad():
            shown = torch.sigmoid if self.shows_probability else (lambda s: s)
            row = torch.stack([d_loss, g_loss, shown(real_score).mean(), shown(fake_score).mean()]).tolist()
        return dict(zip(("d_loss", "g_loss", "d_real", "d_fake"), row))

    def _augment(self, *batches: torch.Tensor) -> torch.Tensor:
        """The batches shifted (cfg.augment) and concatenated; per digit, the offsets are drawn batch by batch
        (shift_each's order) and applied in one gather."""
        cfg = self.config
        if not cfg.augment:
            return torch.cat(batches) if len(batches) > 1 else batches[0]
        if not cfg.augment_per_digit:
            return torch.cat([shift_batch(b, self._gen) for b in batches])
        offsets = torch.cat([shift_offsets(len(b), self._gen) for b in batches], dim=1)
        return shift_by(torch.cat(batches) if len(batches) > 1 else batches[0], offsets)

    @torch.no_grad()
    def _update_ema(self) -> None:
        # Warm-up: early on the average would be dominated by the random init.
        decay = min(self.config.ema, (1 + self.steps) / (10 + self.steps))
        ema_params, params, ema_buffers, buffers = self._ema_pairs
        torch._foreach_lerp_(ema_params, params, 1 - decay)
        if buffers:
            torch._foreach_copy_(ema_buffers, buffers)  # batch-norm running statistics: the current G's

    def step(self, n: int = 1) -> int:
        """Advance up to n steps; stops early (status 'diverged') on a non-finite loss. Returns steps done."""
        done = 0
        if self.status != "ok":
            return 0
        started = time.perf_counter()
        for _ in range(int(n)):
            epoch_before = self.steps // self.steps_per_epoch
            if self.steps % 50 == 0:
                self._last_good = self._snapshot_state()
            row = self._one_step()
            if not all(math.isfinite(v) for v in row.values()):
                self.status = "diverged"
                self.message = (
                    f"A loss became non-finite at step {self.steps} (D loss {row['d_loss']:.3g}, G loss {row['g_loss']:.3g}). "
                    "Training paused: the learning rate is probably too high. Restore the last good weights or reset."
                )
                break
            done += 1
            self.history.append({"step": self.steps, "epoch": self.epoch, "seconds": self.seconds + time.perf_counter() - started, **row})
            if self.steps // self.steps_per_epoch != epoch_before or self.steps in STEP_MARKS:
                elapsed = time.perf_counter() - started
                self.seconds += elapsed
                started = time.perf_counter()
                self._take_snapshot()
        elapsed = time.perf_counter() - started
        self.seconds += elapsed
        return done

    def run_for(self, budget_seconds: float, max_steps: int = 10_000) -> int:
        """Train for about `budget_seconds` (at least one step): the page's per-tick chunk."""
        started = time.perf_counter()
        done = 0
        while done < max_steps and self.status == "ok":
            done += self.step(1)
            if time.perf_counter() - started >= budget_seconds:
                break
        wall = time.perf_counter() - started
        if done and wall > 0:
            rate = done / wall
            self._recent_rate = rate if self._recent_rate == 0 else 0.8 * self._recent_rate + 0.2 * rate
        return done

    def run_within(self, budget_seconds: float, max_steps: int = 10_000, min_steps: int = 0) -> int:
        """Train for at most about `budget_seconds` of this thread's CPU time: the live page's share of the
        server's training budget. A step starts only when the time left covers the predicted step time, so a
        tick ends within its share (run_for overshoots by up to a step). What is left over (up to one step) or
        overshot (up to one share or step) is carried to the next call, so over many calls the training time
        is the sum of the shares, even for shares shorter than a step.

        CPU time, not wall time: with a class on one server a step's wall time includes waiting for the other
        sessions' threads (measured: 8 sessions, ~4x its CPU time), so wall-time shares trained a quarter of
        the CPU the server's budget grants, and the class saw the step counter move < 1 time a second.

        min_steps: steps trained whatever the share (the live page's 1: its update is a step); their
        overshoot is repaid like any other."""
        budget = max(0.0, float(budget_seconds)) + self._carry
        started, wall_started = time.thread_time(), time.perf_counter()
        done = 0
        while done < max_steps and self.status == "ok":
            before = time.thread_time()
            if done >= min_steps and budget - (before - started) < self._step_seconds:
                break
            if not self.step(1):
                break
            took = time.thread_time() - before
            if self._step_seconds == 0:
                self._step_seconds = took
            else:  # one slow step (a snapshot, the divergence guard's copy) raises the estimate by 10 % at
                # most: with a share far below one step, an inflated estimate would stall this session for many ticks
                self._step_seconds = 0.8 * self._step_seconds + 0.2 * min(took, 1.5 * self._step_seconds)
            done += 1
        used = time.thread_time() - started
        # left over: at most one step carried; overshot: repaid by the next ticks, at most one share each
        self._carry = min(max(budget - used, -max(self._step_seconds, float(budget_seconds))), self._step_seconds)
        wall = time.perf_counter() - wall_started
        if done and wall > 0:
            rate = done / wall
            self._recent_rate = rate if self._recent_rate == 0 else 0.8 * self._recent_rate + 0.2 * rate
        return done

    # ----- divergence guard ------------------------------------------------------------------
    def _snapshot_state(self) -> dict:
        return _cloned({
            "g": self.generator.state_dict(),
            "d": self.discriminator.state_dict(),
            "ema": self.ema_generator.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "steps": self.steps,
        })

    def restore_last_good(self) -> bool:
        if self._last_good is None:
            return False
        s = self._last_good
        self.generator.load_state_dict(s["g"])
        self.discriminator.load_state_dict(s["d"])
        self.ema_generator.load_state_dict(s["ema"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        self.steps = s["steps"]
        self.status, self.message = "ok", ""
        return True

    # ----- looking at G ----------------------------------------------------------------------
    @torch.inference_mode()
    def sample_grid(self) -> np.ndarray:
        """(SNAPSHOT_ROWS, 10, 28, 28) images in [0, 1] from the EMA generator at the fixed z's."""
        z = self.fixed_z.repeat_interleave(NUM_CLASSES, 0)
        labels = torch.arange(NUM_CLASSES, device=self.device).repeat(SNAPSHOT_ROWS)
        out = (self.ema_generator(z, labels) + 1) / 2
        return out.view(SNAPSHOT_ROWS, NUM_CLASSES, 28, 28).cpu().numpy()

    def _take_snapshot(self) -> None:
        grid = self.sample_grid()
        epoch = round(self.epoch, 2)
        keep = self.steps in STEP_MARKS or (epoch == int(epoch) and is_milestone(int(epoch)))
        snap = {"step": self.steps, "epoch": epoch, "seconds": self.seconds, "grid": grid, "keep": keep}
        # Memory stays flat on long runs: the latest snapshot is always kept, older ones only at the step
        # marks and roughly log-spaced "milestone" epochs (0-5, 8, 10, 15, 20, 30, 40, 60, 80, 100, 150, ...).
        if self.snapshots and not self.snapshots[-1]["keep"]:
            self.snapshots.pop()
        self.snapshots.append(snap)
        if len(self.snapshots) > MAX_SNAPSHOTS:
            del self.snapshots[1]


MILESTONE_MANTISSAS = (1, 1.5, 2, 3, 4, 6, 8)  # milestone epochs: 0-5, then m·10^k (8, 10, 15, 20, ... 150, ...)


def is_milestone(epoch: int) -> bool:
    if epoch <= 5:
        return True
    magnitude = 10 ** (len(str(epoch)) - 1)
    return any(epoch == m * magnitude for m in MILESTONE_MANTISSAS)


def timeline(snapshots: list[dict], count: int = 6) -> list[dict]:
    """Up to `count` snapshots for "from noise to digits": always the first (pure noise) and the latest,
    the rest spread evenly over the kept ones in between (which are already roughly log-spaced in steps)."""
    if len(snapshots) <= count:
        return list(snapshots)
    picks = np.linspace(0, len(snapshots) - 1, count).round().astype(int)
    return [snapshots[i] for i in sorted(set(picks.tolist()))]
