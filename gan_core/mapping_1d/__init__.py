"""The 1-D lesson: a generator learns to push z ~ U(0,1) (or N(0,1)) onto a 1-D target.

    targets.py  target distributions and their quantile functions (the ideal map)
    config.py   Mapping1DConfig: every setting described once (settings_spec)
    nets.py     the tiny MLPs (fast NumPy form and the torch reference form)
    losses.py   non-saturating, minimax, least-squares, WGAN-GP
    trainer.py  Mapping1DTrainer: step(n), capped history, divergence handling
    metrics.py  exact 1-D Wasserstein distance
    cli.py      `python -m gan_core train-1d`
    figures.py  Vega-Lite specs for the page
"""
from gan_core.mapping_1d.config import LOSSES, NOISES, Mapping1DConfig
from gan_core.mapping_1d.metrics import w1_distance, w1_to_target
from gan_core.mapping_1d.targets import Target, parse_target
from gan_core.mapping_1d.trainer import Mapping1DTrainer

__all__ = ["LOSSES", "NOISES", "Mapping1DConfig", "Target", "Mapping1DTrainer", "parse_target",
           "w1_distance", "w1_to_target"]
