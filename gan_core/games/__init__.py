"""Two-player games that show why GAN training circles: the bilinear xy game and Dirac-GAN.

fields.py: the games as gradient fields; rules.py: update rules and trajectories;
analysis.py: Jacobian of one update at the equilibrium and its eigenvalues; config.py: GameConfig,
the one settings object; figures.py: Vega-Lite figures; cli.py: `python -m gan_core game`.
"""
from gan_core.games.analysis import LocalAnalysis, analyse, spectral_radius_curve, update_matrix
from gan_core.games.fields import DiracGAN, Game, XYGame, make_game
from gan_core.games.rules import METHODS, Trajectory, simulate, step
from gan_core.games.config import GameConfig

__all__ = [
    "METHODS", "DiracGAN", "Game", "GameConfig", "LocalAnalysis", "Trajectory", "XYGame",
    "analyse", "make_game", "simulate", "spectral_radius_curve", "step", "update_matrix",
]
