"""ModeCollapseConfig.validate(): clear messages per field, defaults valid."""
import pytest

from gan_core.mode_collapse.config import REMEDIES, ModeCollapseConfig


def test_defaults_and_every_remedy_are_valid():
    assert ModeCollapseConfig().validate() == {}
    for remedy in REMEDIES:
        assert ModeCollapseConfig(remedy=remedy).validate() == {}


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("target", "ring9", "is not one of"),
        ("remedy", "magic", "is not one of"),
        ("loss", "hinge", "is not one of"),
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
