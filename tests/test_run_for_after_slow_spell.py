"""`run_for` after a slow spell: once contention pushed the measured step rate so low that a tick's chunk
rounds to 0 steps, the session used to never train again (no step, so the rate was never re-measured)."""
from __future__ import annotations

from gan_core.mapping_1d import trainer as trainer_module
from gan_core.mapping_1d.config import Mapping1DConfig

Trainer = getattr(trainer_module, "Mapping1DTrainer", None) or trainer_module.Trainer1D


def test_a_tick_after_a_slow_spell_still_trains_and_recovers_the_rate():
    trainer = Trainer(Mapping1DConfig(seed=3, width=8, batch_size=32), device="cpu")
    trainer.step(5)
    trainer.steps_per_second = 1.0  # measured during a spell of heavy contention
    done = trainer.run_for(0.015, 1000)
    assert done >= 1
    assert trainer.steps_per_second > 1.0  # the rate was measured again
    assert trainer.run_for(0.015, 1000) >= 1
