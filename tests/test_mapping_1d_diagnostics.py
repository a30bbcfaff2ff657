"""The "D says ½ but the histograms still differ" reading: detected, named, explained."""
import dataclasses

import pytest

from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.diagnostics import KEYS, classify_d_half, d_half_but_apart, explanation
from gan_core.mapping_1d.scenarios import SCENARIOS
from gan_core.mapping_1d.trainer import Mapping1DTrainer


@pytest.mark.parametrize(("d_real", "d_fake", "w1", "d_range", "loss", "expected"), [
    (0.51, 0.49, 0.40, 0.03, "nonsaturating", "d_flat_but_apart"),  # flat D, G still off
    (0.52, 0.48, 0.40, 0.30, "minimax", "d_means_cancel"),  # D varies, averages meet at ½
    (0.51, 0.49, 0.05, 0.03, "nonsaturating", None),  # G has learnt the data: ½ is the right answer
    (0.70, 0.30, 0.40, 0.60, "nonsaturating", None),  # D is telling them apart: nothing to explain
    (0.51, 0.49, 0.40, 0.03, "wgan_gp", None),  # a critic score, not a probability: ½ means nothing
    (float("nan"), 0.5, 0.4, 0.03, "nonsaturating", None),
])
def test_classify_d_half(d_real, d_fake, w1, d_range, loss, expected):
    assert classify_d_half(d_real, d_fake, w1, d_range, loss) == expected


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_its_explanation(key):
    text = explanation(key)
    assert "½" in text and "W1" in text
    with pytest.raises(ValueError):
        explanation("no_such_key")


def test_two_bumps_d_sits_at_one_half_while_w1_is_still_large_and_it_is_said_why():
    trainer = Mapping1DTrainer(SCENARIOS["mixture"].config_for(seed=0))
    assert d_half_but_apart(trainer) is None  # before any step there is no reading
    trainer.step(300)
    diagnosis = d_half_but_apart(trainer)
    assert diagnosis is not None and diagnosis.key == "d_flat_but_apart"
    assert diagnosis.w1_over_std > 0.15 and abs(diagnosis.d_real - 0.5) <= 0.05
    assert diagnosis.text.startswith("**D says ½")
    trainer.step(2700)  # G gets there: the note goes away
    assert trainer.w1() <= 0.1 * trainer.target.std and d_half_but_apart(trainer) is None


def test_no_note_while_d_is_still_telling_the_fakes_apart():
    trainer = Mapping1DTrainer(dataclasses.replace(Mapping1DConfig(), seed=0))
    trainer.step(20)
    assert d_half_but_apart(trainer) is None
