"""The four GAN losses, on D's raw output (a logit for the BCE losses, a score otherwise).

Each loss appears twice with the same maths: NumPy value + hand-derived gradient for the fast
path, and a torch expression for the autograd reference. All are means over the batch.

    non-saturating  D: −log D(x) − log(1 − D(G(z)))     G: −log D(G(z))
    minimax         D: same                             G: log(1 − D(G(z)))   (saturates when D wins)
    least squares   D: ½(D(x) − 1)² + ½ D(G(z))²         G: ½(D(G(z)) − 1)²
    WGAN-GP         D: D(G(z)) − D(x) + λ(|∇D(x̂)| − 1)²   G: −D(G(z))
with D(·) = sigmoid(logit) for the first two. Written with softplus so large logits never overflow:
−log sigmoid(l) = softplus(−l), −log(1 − sigmoid(l)) = softplus(l).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

PROBABILITY_LOSSES = ("nonsaturating", "minimax")
LOSS_NAMES = ("nonsaturating", "minimax", "least_squares", "wgan_gp")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow for any finite x


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _mean(a: np.ndarray) -> float:
    # ndarray.mean() has several µs of fixed overhead; a flat sum is a fraction of that.
    return float(a.ravel().sum()) / a.size


def discriminator_loss(loss: str, out_real: np.ndarray, out_fake: np.ndarray):
    """D's loss (without any gradient penalty), its gradients w.r.t. D's outputs, and the mean D
    output on real and on fake as shown to people (a probability for the BCE losses, else the score):
    (value, d_out_real, d_out_fake, shown_real, shown_fake)."""
    n_r, n_f = len(out_real), len(out_fake)
    if loss in PROBABILITY_LOSSES:
        p_real, p_fake = sigmoid(out_real), sigmoid(out_fake)
        value = _mean(softplus(-out_real)) + _mean(softplus(out_fake))
        shown_real, shown_fake = _mean(p_real), _mean(p_fake)
        p_real -= 1.0
        p_real *= 1.0 / n_r
        p_fake *= 1.0 / n_f
        return value, p_real, p_fake, shown_real, shown_fake
    shown_real, shown_fake = _mean(out_real), _mean(out_fake)
    if loss == "least_squares":
        d_real, d_fake = out_real - 1.0, out_fake.copy()
        value = 0.5 * _mean(d_real * d_real) + 0.5 * _mean(d_fake * d_fake)
        d_real *= 1.0 / n_r
        d_fake *= 1.0 / n_f
        return value, d_real, d_fake, shown_real, shown_fake
    if loss == "wgan_gp":
        value = shown_fake - shown_real
        return value, np.full_like(out_real, -1.0 / n_r), np.full_like(out_fake, 1.0 / n_f), shown_real, shown_fake
    raise ValueError(f"unknown loss {loss!r}")


def generator_loss(loss: str, out_fake: np.ndarray):
    """Value of G's loss and the per-sample derivative dℓ_i/d(out_i) (the batch mean's gradient is this / n)."""
    if loss == "nonsaturating":
        return _mean(softplus(-out_fake)), sigmoid(out_fake) - 1.0
    if loss == "minimax":
        # log(1 − D) = −softplus(logit): its slope −sigmoid(logit) → 0 when D confidently says "fake".
        return -_mean(softplus(out_fake)), -sigmoid(out_fake)
    if loss == "least_squares":
        diff = out_fake - 1.0
        return 0.5 * _mean(diff * diff), diff
    if loss == "wgan_gp":
        return -_mean(out_fake), np.full_like(out_fake, -1.0)
    raise ValueError(f"unknown loss {loss!r}")


def gradient_penalty(grad_at_mix: np.ndarray, weight: float):
    """λ·mean((|∂D/∂x̂| − 1)²) and its derivative w.r.t. ∂D/∂x̂ (1-D input: the norm is |·|)."""
    norm = np.abs(grad_at_mix)
    excess = norm - 1.0
    value = weight * _mean(excess * excess)
    return value, (2.0 * weight / len(grad_at_mix)) * excess * np.sign(grad_at_mix)


def r1_penalty(grad_at_real: np.ndarray, weight: float):
    """R1 (Mescheder et al. 2018): γ/2·mean(|∂D/∂x|²) on real data, and its derivative w.r.t. ∂D/∂x.
    It stops D from building a steep wall around the real data, which is what makes the
    unregularised game circle around the solution instead of settling on it."""
    value = 0.5 * weight * _mean(grad_at_real * grad_at_real)
    return value, (weight / len(grad_at_real)) * grad_at_real


# --- torch (autograd reference) ---------------------------------------------------------------
def torch_discriminator_loss(loss: str, out_real: torch.Tensor, out_fake: torch.Tensor) -> torch.Tensor:
    if loss in PROBABILITY_LOSSES:
        return F.softplus(-out_real).mean() + F.softplus(out_fake).mean()
    if loss == "least_squares":
        return 0.5 * (out_real - 1).pow(2).mean() + 0.5 * out_fake.pow(2).mean()
    if loss == "wgan_gp":
        return out_fake.mean() - out_real.mean()
    raise ValueError(f"unknown loss {loss!r}")


def torch_generator_loss(loss: str, out_fake: torch.Tensor) -> torch.Tensor:
    if loss == "nonsaturating":
        return F.softplus(-out_fake).mean()
    if loss == "minimax":
        return -F.softplus(out_fake).mean()
    if loss == "least_squares":
        return 0.5 * (out_fake - 1).pow(2).mean()
    if loss == "wgan_gp":
        return -out_fake.mean()
    raise ValueError(f"unknown loss {loss!r}")


def torch_gradient_penalty(critic, x_real: torch.Tensor, x_fake: torch.Tensor, eps: torch.Tensor, weight: float):
    """The WGAN-GP penalty with autograd's double backward (create_graph=True)."""
    mix = (eps * x_real + (1 - eps) * x_fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)
    return weight * (grad.abs() - 1).pow(2).mean()


def torch_r1_penalty(critic, x_real: torch.Tensor, weight: float):
    x = x_real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 0.5 * weight * grad.pow(2).mean()
