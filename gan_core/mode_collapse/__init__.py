"""Mode collapse on 2-D Gaussian mixtures (ring of 8, grid of 25): trainer, metrics, figures, CLI."""
