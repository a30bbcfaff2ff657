"""The conditional generator G(z, y) and discriminator D(x, y).

Both are small convolutional nets so a CGAN trains in minutes on two CPU cores. The label enters
G as a one-hot vector concatenated with z (the lecture's "latent point + desired number"), and D
as a projection: D(x, y) = w·h(x) + embed(y)·h(x), which asks "is this a real digit *of class y*?"
more directly than concatenating the label to the image.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from .mnist import NUM_CLASSES, SIDE


class Generator(nn.Module):
    """G(z, y): latent z plus one-hot label -> 28x28 image in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 16, width: int = 64):
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
        self.project = nn.Linear(latent_dim + NUM_CLASSES, 2 * width * 7 * 7)
        self.up1 = nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1)  # 7 -> 14
        self.up2 = nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1)  # 14 -> 28
        self.to_image = nn.Conv2d(width // 2, 1, 3, padding=1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """labels: class indices (N,) or label weights (N, 10) — weights blend two digits for morphing."""
        onehot = F.one_hot(labels, NUM_CLASSES).to(z.dtype) if labels.dim() == 1 else labels.to(z.dtype)
        h = F.leaky_relu(self.project(torch.cat([z, onehot], dim=1)), 0.2)
        h = h.view(-1, 2 * self.width, 7, 7)
        h = F.leaky_relu(self.up1(h), 0.2)
        h = F.leaky_relu(self.up2(h), 0.2)
        return torch.tanh(self.to_image(h)).view(-1, 1, SIDE, SIDE)


class Discriminator(nn.Module):
    """D(x, y): a raw score (logit), high = "a real digit of class y"."""

    def __init__(self, width: int = 64):
        super().__init__()
        self.width = width
        # Spectral normalisation keeps D Lipschitz: without it D wins within a few hundred steps
        # (its scores run off to +-infinity) and G's gradient carries no information.
        self.conv1 = spectral_norm(nn.Conv2d(1, width // 2, 4, stride=2, padding=1))  # 28 -> 14
        self.conv2 = spectral_norm(nn.Conv2d(width // 2, width, 4, stride=2, padding=1))  # 14 -> 7
        self.features = spectral_norm(nn.Linear(width * 7 * 7, 2 * width))
        self.score = spectral_norm(nn.Linear(2 * width, 1))
        self.embed = spectral_norm(nn.Embedding(NUM_CLASSES, 2 * width))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        h = F.leaky_relu(self.features(h.flatten(1)), 0.2)
        return self.score(h).squeeze(1) + (self.embed(labels) * h).sum(1)
