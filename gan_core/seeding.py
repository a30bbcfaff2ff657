"""Seeds: one integer makes a run repeatable (same seed + same settings = same run)."""
from __future__ import annotations

import random

import numpy as np
import torch

MAX_SEED = 2**31 - 1


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch globally and return a torch.Generator seeded with `seed`."""
    seed = int(seed) % (MAX_SEED + 1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
