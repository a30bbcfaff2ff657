"""One-click lesson scenarios for the 1-D page: settings plus a line saying what to watch.

Each scenario is a full Mapping1DConfig (the seed is left to the page's sidebar), and optionally a
"head start" for D: that many discriminator updates with G frozen before G's first step
(`Mapping1DTrainer.train_discriminator`), i.e. "let D win" — the situation the lecture's saturation
argument is about. Every claim in `watch` was measured with Mapping1DTrainer (see docs/mapping_1d_page.md).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from gan_core.mapping_1d.config import Mapping1DConfig

# Two narrow bumps far apart: G starts (near the data's mean) in the empty gap between them, where
# there is no real data at all, so a D trained for a moment is certain those samples are fake.
GAP_TARGET = "mixture:0.5,-4,0.5;0.5,4,0.5"
# A strong, sharp D: no R1 smoothing, 5 D steps per G step at a 2.5x larger learning rate. G starts on
# the data's mean (the gap) at its original, slower learning rate: the settings these scenarios were measured with.
STRONG_D = {"r1": 0.0, "d_steps": 5, "lr_d": 0.01, "g_start": 0.0, "lr_g": 5e-4}
HEAD_START = 300  # D-only updates before G moves


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    watch: str  # one line: what the class should look at
    config: Mapping1DConfig = field(default_factory=Mapping1DConfig)
    d_head_start: int = 0  # D updates with G frozen, right after (re)starting the run
    seed: int | None = None  # a seed that shows the lesson typically; None = keep the page's seed

    def config_for(self, seed: int) -> Mapping1DConfig:
        """The settings to run: the scenario's own seed if it has one, else `seed`."""
        return dataclasses.replace(self.config, seed=int(seed if self.seed is None else self.seed))

    def matches(self, config: Mapping1DConfig) -> bool:
        """Whether `config` is this scenario's settings (any seed)."""
        return dataclasses.replace(config, seed=0) == dataclasses.replace(self.config, seed=0)


SCENARIOS: dict[str, Scenario] = {s.key: s for s in (
    Scenario("default", "Default",
             "G's samples start 3σ to the left of the data, where D tells them apart (D(real) above D(G(z))); "
             "G travels onto the data, orange covers blue, and D(x) flattens at ½."),
    Scenario("vanishing", "Vanishing gradient (saturating minimax vs a strong D)",
             "D trains alone first while G sits in the empty gap between two bumps, so D is sure G's samples "
             "are fake: the gradient reaching G is ~1000× smaller than the non-saturating loss would give. "
             "G crawls out late and ends stuck on one bump (seed 1; most seeds do this).",
             Mapping1DConfig(target=GAP_TARGET, loss="minimax", **STRONG_D), d_head_start=HEAD_START, seed=1),
    Scenario("fix", "The fix: same, non-saturating loss",
             "Same strong D and same head start, but G minimises −log D(G(z)): a strong push exactly when D "
             "is winning, so G leaves the gap at once and spreads over both bumps (W1 ≈ 0.1σ by step 2,000).",
             Mapping1DConfig(target=GAP_TARGET, loss="nonsaturating", **STRONG_D), d_head_start=HEAD_START, seed=1),
    Scenario("exp", "x = −ln z (exponential)",
             "G has to discover the lecture's hand-made map: it learns F⁻¹(z) or its mirror −ln z, "
             "depending on the seed.",
             Mapping1DConfig(target="exp:1")),
    Scenario("mixture", "Two bumps (mixture)",
             "A continuous G cannot jump: it stretches a thin slice of z across the gap — a steep step in "
             "the map and a lone line in the transport panel. For the first few hundred steps mean D(real) and "
             "D(G(z)) both read ½ although the histograms still differ: D, held smooth by R1, cannot see the "
             "difference yet (the page says so while it lasts).",
             Mapping1DConfig(target="mixture:0.5,-2,0.5;0.5,2,0.5")),
    Scenario("gaussian_noise", "Gaussian noise z ~ N(0, 1)",
             "Same target, different noise: the ideal map is now an S-curve, and G still finds it.",
             Mapping1DConfig(noise="normal")),
    Scenario("diverge", "Make it diverge",
             "WGAN-GP with both learning rates at 0.1 and width 128: G's outputs explode (seed 3: at step 338, "
             "about 10 s; other seeds within a few hundred to a few thousand steps); the page pauses, says why "
             "and offers to restore the last good state.",
             # Seed 3 diverges early, so the class sees it within a lecture beat (30 seeds measured: all
             # diverge, at steps 179-3,904, median 710; seed 0, the page's default, only at 2,059).
             Mapping1DConfig(loss="wgan_gp", lr_g=0.1, lr_d=0.1, width=128, g_start=0.0), seed=3),
)}


def scenario_for(config: Mapping1DConfig) -> Scenario | None:
    """The scenario whose settings `config` is (any seed), if any."""
    return next((s for s in SCENARIOS.values() if s.matches(config)), None)
