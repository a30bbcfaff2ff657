"""ModeCollapseConfig.validate(): clear messages per field, defaults valid; it maps onto the 2-D core."""
import pytest

from gan_core.mode_collapse.config import REMEDIES, ModeCollapseConfig


def test_defaults_and_every_remedy_are_valid():
    assert ModeCollapseConfig().validate() == {}
    for remedy in REMEDIES:
        assert ModeCollapseConfig(remedy=remedy).validate() == {}


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("target", "ring9", "not one of ring8, grid25"),
        ("remedy", "magic", "not one of none, pack"),
        ("loss", "hinge", "not one of nonsaturating, minimax"),
        ("unroll_order", "third", "not one of first, second"),
        ("lr_g", 0.0, "greater than 0"),
        ("lr_d", float("nan"), "finite"),
        ("batch_size", 4, "between"),
        ("batch_size", 32.5, "whole number"),
        ("width", None, "must be a number"),
        ("pack", 5, "between 2 and 4"),
        ("unroll", 0, "between 1 and 5"),
        ("r1_gamma", -1.0, "between"),
        ("seed", -1, "Seed"),
    ],
)
def test_bad_settings_get_a_message_on_their_field(field, value, words):
    errors = ModeCollapseConfig(**{field: value}).validate()
    assert set(errors) == {field}
    assert words in errors[field]


@pytest.mark.parametrize("remedy, expected", [
    ("none", dict(mbstd=False, pack=1, r1_gamma=0.0, unroll=0)),
    ("mbstd", dict(mbstd=True, pack=1, r1_gamma=0.0, unroll=0)),
    ("pack", dict(mbstd=False, pack=3, r1_gamma=0.0, unroll=0)),
    ("r1", dict(mbstd=False, pack=1, r1_gamma=2.0, unroll=0)),
    ("unrolled", dict(mbstd=False, pack=1, r1_gamma=0.0, unroll=4)),
])
def test_each_remedy_switches_on_exactly_its_own_setting_of_the_core(remedy, expected):
    core = ModeCollapseConfig(remedy=remedy, pack=3, r1_gamma=2.0, unroll=4).to_twod()
    assert {k: getattr(core, k) for k in expected} == expected
    assert core.validate() == {}
    assert (core.noise_dim, core.g_layers, core.d_layers, core.activation) == (64, 2, 1, "relu")
