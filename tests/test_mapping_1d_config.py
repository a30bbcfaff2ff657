"""Mapping1DConfig: defaults are valid, bad values get one clear message per field."""
import math

import pytest

from gan_core import settings_spec
from gan_core.mapping_1d.config import LOSSES, NOISES, Mapping1DConfig


def test_defaults_are_valid_and_match_the_page_defaults():
    cfg = Mapping1DConfig()
    assert cfg.validate() == {}
    assert cfg.target == "normal:3,0.7" and cfg.noise == "uniform" and cfg.loss == "nonsaturating"
    assert set(LOSSES) == {"nonsaturating", "minimax", "least_squares", "wgan_gp"}
    assert set(NOISES) == {"uniform", "normal"}


def test_every_field_is_a_described_setting_within_its_limits():
    cfg = Mapping1DConfig()
    described = settings_spec.specs(cfg)
    assert [s.name for s in described] == [f for f in cfg.to_dict()]
    for spec in described:
        assert spec.setting.label and spec.setting.help, spec.name
        assert settings_spec.check_value(spec, spec.default) is None, spec.name


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
        ("lr_g", 5.0, "between 1e-05 and 0.1"),
        ("lr_d", math.nan, "finite"),
        ("d_steps", 0, "between 1 and 10"),
        ("d_steps", 2.5, "whole number"),
        ("width", 1000, "between 4 and 256"),
        ("batch_size", 2, "between 8 and 4096"),
        ("ema", 1.0, "between 0 and 0.9999"),
        ("loss", "hinge", "is not one of"),
        ("noise", "cauchy", "is not one of"),
        ("seed", -1, "between 0 and"),
        ("lr_g", "fast", "must be a number"),
    ],
)
def test_bad_values_get_a_message_on_their_field_only(field, value, words):
    cfg = Mapping1DConfig(**{field: value})
    errors = cfg.validate()
    assert list(errors) == [field]
    assert words in errors[field]


def test_round_trip_through_a_mapping_reports_unknown_keys_and_keeps_the_rest():
    cfg = Mapping1DConfig(loss="wgan_gp", width=8, target="mixture:0.5,-2,0.5;0.5,2,0.5")
    data = settings_spec.to_mapping(cfg) | {"from_a_newer_version": 1}
    back, errors = settings_spec.from_mapping(Mapping1DConfig, data)
    assert back == cfg and list(errors) == ["from_a_newer_version"]


def test_a_bad_target_from_a_link_keeps_the_defaults_and_says_why():
    back, errors = settings_spec.from_query(Mapping1DConfig, {"target": "normal:0,-1", "width": "64"})
    assert back == Mapping1DConfig() and "greater than 0" in errors["target"]


@pytest.mark.parametrize("target", ["<script>" + "x" * 5000, "normal:" + "1" * 5000 + ",2", "normal:1," + "9" * 400,
                                    "mixture:" + "1,2,3;" * 50, "z" * 10_000 + ":1"])
def test_a_pasted_garbage_target_gets_a_short_message(target):
    errors = Mapping1DConfig(target=target).validate()
    assert list(errors) == ["target"] and len(errors["target"]) < 300
