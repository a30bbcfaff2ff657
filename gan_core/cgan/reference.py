"""The CGAN training step as first written, the plain way: per-parameter Adam (PyTorch's CPU default), a
Python loop for the EMA, D's weight gradients computed in G's step too (thrown away by D's next zero_grad),
the per-digit shift by row/column indexing, four .item() calls. It trains the same numbers as CGANTrainer's
step; tests/test_cgan_step_reference.py holds them together and benchmarks/bench_cgan_step.py times both.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .mnist import NUM_CLASSES
from .trainer import CGANTrainer, d_loss_fn, g_loss_fn, mode_seeking_penalty, shift_batch


def reference_shift_each(images, generator, max_shift=2):
    n, side = images.shape[0], images.shape[-1]
    padded = F.pad(images, (max_shift,) * 4)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    ramp = torch.arange(side)
    rows = (dy[:, None] + ramp[None, :])[:, :, None]
    cols = (dx[:, None] + ramp[None, :])[:, None, :]
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


class ReferenceTrainer(CGANTrainer):
    """The plain loop, step for step as the lecture writes it."""

    def reset(self, seed=None):
        super().reset(seed)
        betas = (self.config.beta1, 0.999)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.config.lr_g, betas=betas, foreach=False)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=self.config.lr_d, betas=betas, foreach=False)

    def _one_step(self):
        cfg = self.config
        real, labels = self._next_batch()
        n = len(labels)
        z = self._sample_prior(n)
        pairs = n // 2 if cfg.mode_seeking > 0 else 0
        if pairs:
            first = torch.randint(0, NUM_CLASSES, (n - pairs,), generator=self._gen)
            fake_labels = torch.cat([first, first[:pairs]])
        else:
            fake_labels = torch.randint(0, NUM_CLASSES, (n,), generator=self._gen)
        fake = self.generator(z, fake_labels)
        shift = reference_shift_each if cfg.augment_per_digit else shift_batch
        aug = (lambda x: shift(x, self._gen)) if cfg.augment else (lambda x: x)
        scores, class_logits = self.discriminator(
            torch.cat([aug(real), aug(fake.detach())]), torch.cat([labels, fake_labels]), with_class=True)
        real_score, fake_score = scores[:n], scores[n:]
        d_loss = d_loss_fn(cfg.loss, real_score, fake_score)
        d_total = d_loss
        if cfg.class_loss > 0:
            d_total = d_loss + cfg.class_loss * F.cross_entropy(class_logits[:n], labels)
        self.opt_d.zero_grad(set_to_none=True)
        d_total.backward()
        self.opt_d.step()
        g_score, g_class = self.discriminator(aug(fake), fake_labels, with_class=True)
        g_loss = g_loss_fn(cfg.loss, g_score)
        g_total = g_loss
        if cfg.class_loss > 0:
            g_total = g_total + cfg.class_loss * F.cross_entropy(g_class, fake_labels)
        if pairs:
            g_total = g_total + cfg.mode_seeking * mode_seeking_penalty(fake, z, pairs)
        self.opt_g.zero_grad(set_to_none=True)
        g_total.backward()
        self.opt_g.step()
        with torch.no_grad():
            decay = min(cfg.ema, (1 + self.steps) / (10 + self.steps))
            for avg, cur in zip(self.ema_generator.parameters(), self.generator.parameters()):
                avg.lerp_(cur, 1 - decay)
            for avg, cur in zip(self.ema_generator.buffers(), self.generator.buffers()):
                avg.copy_(cur)
        self.steps += 1
        shown = torch.sigmoid if self.shows_probability else (lambda s: s)
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
                "d_real": shown(real_score.detach()).mean().item(), "d_fake": shown(fake_score.detach()).mean().item()}
