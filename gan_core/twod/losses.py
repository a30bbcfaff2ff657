"""The four GAN losses on D's raw outputs o (logits, or critic scores), with their gradients dL/do.

Means are over the batch, so the returned gradients carry the 1/n. "Shown" values are what the page plots:
D(x) = sigmoid(o) for the two cross-entropy losses, the raw score otherwise.
"""
from __future__ import annotations

import numpy as np


def sigmoid(o: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * o))  # stable for large |o|


def softplus(o: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, o)


def probability_output(loss: str) -> bool:
    return loss in ("nonsaturating", "minimax")


def d_loss(loss: str, o_real: np.ndarray, o_fake: np.ndarray):
    """D's loss, dL/do_real, dL/do_fake, shown D(real), shown D(fake)."""
    nr, nf = len(o_real), len(o_fake)
    if probability_output(loss):
        value = softplus(-o_real).mean() + softplus(o_fake).mean()
        p_real, p_fake = sigmoid(o_real), sigmoid(o_fake)
        return float(value), (p_real - 1.0) / nr, p_fake / nf, float(p_real.mean()), float(p_fake.mean())
    if loss == "least_squares":  # Mao et al. 2017, a = 0, b = c = 1
        value = 0.5 * ((o_real - 1.0) ** 2).mean() + 0.5 * (o_fake ** 2).mean()
        return float(value), (o_real - 1.0) / nr, o_fake / nf, float(o_real.mean()), float(o_fake.mean())
    if loss == "wgan_gp":
        value = o_fake.mean() - o_real.mean()
        return (float(value), np.full_like(o_real, -1.0 / nr), np.full_like(o_fake, 1.0 / nf),
                float(o_real.mean()), float(o_fake.mean()))
    raise ValueError(f"unknown loss {loss!r}")


def g_loss(loss: str, o_fake: np.ndarray):
    """G's loss and dL/do_fake."""
    n = len(o_fake)
    if loss == "nonsaturating":  # −log D(G(z))
        return float(softplus(-o_fake).mean()), (sigmoid(o_fake) - 1.0) / n
    if loss == "minimax":  # log(1 − D(G(z))) = −softplus(o)
        return float(-softplus(o_fake).mean()), -sigmoid(o_fake) / n
    if loss == "least_squares":
        return float(0.5 * ((o_fake - 1.0) ** 2).mean()), (o_fake - 1.0) / n
    if loss == "wgan_gp":
        return float(-o_fake.mean()), np.full_like(o_fake, -1.0 / n)
    raise ValueError(f"unknown loss {loss!r}")


NORM_EPS = 1e-12


def r1_penalty(grad: np.ndarray, gamma: float):
    """γ/2 · mean ‖∇D(x_real)‖² and its gradient w.r.t. ∇D."""
    n = len(grad)
    return float(0.5 * gamma * (grad * grad).sum(1).mean()), grad * (gamma / n)


def gradient_penalty(grad: np.ndarray, weight: float):
    """λ · mean (‖∇D(x̂)‖ − 1)² and its gradient w.r.t. ∇D (Gulrajani et al. 2017)."""
    n = len(grad)
    norm = np.sqrt((grad * grad).sum(1, keepdims=True) + NORM_EPS)
    value = weight * ((norm - 1.0) ** 2).mean()
    return float(value), grad * ((2.0 * weight / n) * (norm - 1.0) / norm)
