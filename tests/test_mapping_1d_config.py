"""Mapping1DConfig: defaults are valid, bad values get one clear message per field."""
import math

import pytest

from gan_core.mapping_1d.config import LIMITS, LOSSES, NOISES, Mapping1DConfig


def test_defaults_are_valid_and_match_the_page_defaults():
    cfg = Mapping1DConfig()
    assert cfg.validate() == {}
    assert cfg.target == "normal:3,0.7" and cfg.noise == "uniform" and cfg.loss == "nonsaturating"
    assert set(LOSSES) == {"nonsaturating", "minimax", "least_squares", "wgan_gp"}
    assert set(NOISES) == {"uniform", "normal"}


def test_every_default_lies_within_its_limits():
    cfg = Mapping1DConfig()
    for name, (lo, hi) in LIMITS.items():
        assert lo <= getattr(cfg, name) <= hi, name


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("target", "normal:3,0", "greater than 0"),
        ("target", "normal:3,-0.7", "greater than 0"),
        ("target", "mixture:", "at least one component"),
        ("target", "mixture:0,1,1", "weight must be greater than 0"),
        ("target", "uniform:1,1", "A < B"),
        ("lr_g", 0.0, "greater than 0"),
        ("lr_d", -1e-3, "greater than 0"),
        ("lr_g", 5.0, "at most 0.1"),
        ("lr_d", math.nan, "finite"),
        ("d_steps", 0, "at least 1"),
        ("d_steps", 2.5, "whole number"),
        ("width", 1000, "at most 256"),
        ("batch_size", 2, "at least 8"),
        ("ema", 1.0, "at most"),
        ("loss", "hinge", "must be one of"),
        ("noise", "cauchy", "must be one of"),
        ("seed", -1, "at least 0"),
        ("lr_g", "fast", "must be a number"),
    ],
)
def test_bad_values_get_a_message_on_their_field_only(field, value, words):
    cfg = Mapping1DConfig(**{field: value})
    errors = cfg.validate()
    assert list(errors) == [field]
    assert words in errors[field]


def test_round_trip_through_a_dict_ignores_unknown_keys():
    cfg = Mapping1DConfig(loss="wgan_gp", width=8)
    data = cfg.to_dict() | {"from_a_newer_version": 1}
    assert Mapping1DConfig.from_dict(data) == cfg
