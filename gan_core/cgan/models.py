"""The conditional generator G(z, y) and discriminator D(x, y), DCGAN-style (all convolutional).

G: [z, one-hot(y)] -> linear projection to 4w x 7 x 7 -> transposed conv 2w x 14 x 14 -> transposed conv
1 x 28 x 28 -> tanh, with batch norm and ReLU between (Radford et al. 2016). The one-hot label times the
first layer's weights is a learned label embedding added to the projected z (the lecture's "latent
point + desired number"); a blend of two one-hot vectors morphs one digit into another.

D: two strided convs (LeakyReLU, spectral norm) -> features h -> logit D(x, y) = w·h + embed(y)·h. This is
a *projection* discriminator: it asks "a real digit **of class y**?" directly. A second head names the
digit (AC-GAN, Odena et al. 2017); trained on real digits only, it tells G early which strokes make a 3.

Both are small so a CGAN trains in seconds on one CPU thread: transposed convs measured fastest on CPU
(against upsample + conv and sub-pixel convs), and the costly 28 x 28 stage has a single channel.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from .mnist import NUM_CLASSES, SIDE

ARCHITECTURE = "DCGANGenerator"  # the generator's name in checkpoint JSON (older files say "Generator")


class Generator(nn.Module):
    """G(z, y): latent z plus one-hot label -> 28x28 image in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 16, width: int = 8, batch_norm: bool = True):
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
        self.batch_norm = batch_norm
        norm = nn.BatchNorm2d if batch_norm else (lambda channels: nn.Identity())
        # without batch norm a bias does the shifting; with it the bias would be cancelled anyway
        self.project = nn.Linear(latent_dim + NUM_CLASSES, 4 * width * 7 * 7, bias=not batch_norm)
        self.norm0 = norm(4 * width)
        self.up1 = nn.ConvTranspose2d(4 * width, 2 * width, 4, stride=2, padding=1, bias=not batch_norm)  # 7 -> 14
        self.norm1 = norm(2 * width)
        self.up2 = nn.ConvTranspose2d(2 * width, 1, 4, stride=2, padding=1)  # 14 -> 28

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """labels: class indices (N,) or label weights (N, 10) — weights blend two digits for morphing."""
        onehot = F.one_hot(labels, NUM_CLASSES).to(z.dtype) if labels.dim() == 1 else labels.to(z.dtype)
        h = self.project(torch.cat([z, onehot], dim=1)).view(-1, 4 * self.width, 7, 7)
        h = F.relu(self.norm0(h))
        h = F.relu(self.norm1(self.up1(h)))
        return torch.tanh(self.up2(h)).view(-1, 1, SIDE, SIDE)


class Discriminator(nn.Module):
    """D(x, y): a raw score (logit), high = "a real digit of class y"; sigmoid(score) = D's probability."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.width = width
        # Spectral normalisation keeps D Lipschitz: without it D wins within a few hundred steps
        # (its scores run off to +-infinity) and G's gradient carries no information.
        self.conv1 = spectral_norm(nn.Conv2d(1, width // 2, 4, stride=2, padding=1))  # 28 -> 14
        self.conv2 = spectral_norm(nn.Conv2d(width // 2, width, 4, stride=2, padding=1))  # 14 -> 7
        self.features = spectral_norm(nn.Linear(width * 7 * 7, 2 * width))
        self.score = spectral_norm(nn.Linear(2 * width, 1))
        self.embed = spectral_norm(nn.Embedding(NUM_CLASSES, 2 * width))
        self.classify = nn.Linear(2 * width, NUM_CLASSES)  # the AC-GAN head: "which digit is this?"

    def forward(self, x: torch.Tensor, labels: torch.Tensor, with_class: bool = False):
        """The logit (N,); with_class=True also returns the class logits (N, 10)."""
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        h = F.leaky_relu(self.features(h.flatten(1)), 0.2)
        score = self.score(h).squeeze(1) + (self.embed(labels) * h).sum(1)
        return (score, self.classify(h)) if with_class else score


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@torch.no_grad()
def architecture_table(latent_dim: int = 16, width: int = 8, d_width: int = 32, batch_norm: bool = True) -> list[dict]:
    """The two networks as data, one row per layer: {"network", "layer", "kind", "shape", "params"}.

    Shapes are measured by running one batch through fresh networks, so the table cannot drift from
    the code. `shape` is (channels, height, width) or (features,) for one digit.
    """
    g, d = Generator(latent_dim, width, batch_norm).eval(), Discriminator(d_width).eval()
    z, y = torch.zeros(2, latent_dim), torch.tensor([0, 1])
    rows = [{"network": "G", "layer": "input", "kind": f"z ∈ ℝ^{latent_dim} ⊕ one-hot(y) ∈ ℝ^10",
             "shape": [latent_dim + NUM_CLASSES], "params": 0}]
    h = g.project(torch.cat([z, F.one_hot(y, NUM_CLASSES).float()], 1)).view(-1, 4 * width, 7, 7)
    norm = " + batch norm" if batch_norm else ""
    rows.append({"network": "G", "layer": "project", "kind": f"linear (label embedding + z) → reshape{norm} + ReLU",
                 "shape": list(h.shape[1:]), "params": _count(g.project) + _count(g.norm0)})
    h = g.up1(F.relu(g.norm0(h)))
    rows.append({"network": "G", "layer": "up1", "kind": f"transposed conv 4×4, stride 2{norm} + ReLU",
                 "shape": list(h.shape[1:]), "params": _count(g.up1) + _count(g.norm1)})
    h = g.up2(F.relu(g.norm1(h)))
    rows.append({"network": "G", "layer": "up2", "kind": "transposed conv 4×4, stride 2 + tanh → image",
                 "shape": list(h.shape[1:]), "params": _count(g.up2)})
    x = torch.zeros(2, 1, SIDE, SIDE)
    rows.append({"network": "D", "layer": "input", "kind": "image x (real or G's) + label y", "shape": [1, SIDE, SIDE], "params": 0})
    h = d.conv1(x)
    rows.append({"network": "D", "layer": "conv1", "kind": "conv 4×4, stride 2 + LeakyReLU (spectral norm)",
                 "shape": list(h.shape[1:]), "params": _count(d.conv1)})
    h = d.conv2(F.leaky_relu(h, 0.2))
    rows.append({"network": "D", "layer": "conv2", "kind": "conv 4×4, stride 2 + LeakyReLU (spectral norm)",
                 "shape": list(h.shape[1:]), "params": _count(d.conv2)})
    h = d.features(F.leaky_relu(h, 0.2).flatten(1))
    rows.append({"network": "D", "layer": "features", "kind": "linear + LeakyReLU → h", "shape": list(h.shape[1:]),
                 "params": _count(d.features)})
    rows.append({"network": "D", "layer": "score", "kind": "w·h + embed(y)·h → logit; sigmoid → P(real digit of class y)",
                 "shape": [1], "params": _count(d.score) + _count(d.embed)})
    rows.append({"network": "D", "layer": "classify", "kind": "linear → which digit (auxiliary head, trained on real digits)",
                 "shape": [NUM_CLASSES], "params": _count(d.classify)})
    return rows
