"""settings_spec: one description of a setting drives checks, text (URL / CLI), JSON files and --flags."""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
from dataclasses import dataclass, field

import pytest

from gan_core import settings_spec as ss
from gan_core.cgan.config import CGANConfig
from gan_core.games.config import GameConfig
from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mode_collapse.config import ModeCollapseConfig
from gan_core.spam.config import SpamConfig

COLOURS = {"red": "Red", "green": "Green", "blue": "Blue"}


@dataclass(frozen=True)
class ToyConfig:
    on: bool = field(default=True, metadata=ss.setting("Switch"))
    digit: int = field(default=3, metadata=ss.setting("Digit", "0 to 9.", min=0, max=9))
    seed: int = field(default=0, metadata=ss.setting("Seed", min=0, max=2**31 - 1))
    eta: float = field(default=0.1, metadata=ss.setting("Step size η", "Per cent: 5%.", positive=True, max=2.0))
    colour: str = field(default="red", metadata=ss.setting("Colour", choices=COLOURS))
    name: str = field(default="toy", metadata=ss.setting("Name"))
    start: tuple[float, float] = field(default=(1.0, -2.5), metadata=ss.setting("Start", min=-10, max=10))
    shape: tuple[int, int] = field(default=(4, 4), metadata=ss.setting("Shape", min=1, max=64))
    mix: tuple[str, ...] = field(default=("red",), metadata=ss.setting("Mix", choices=COLOURS))
    note: str = "not a setting"  # no metadata: invisible to settings_spec

    def validate(self) -> dict[str, str]:
        errors = ss.check(self)
        if "colour" not in errors and "mix" not in errors and self.colour in self.mix and len(self.mix) > 1:
            errors["mix"] = "A mix that contains the colour itself needs no other colours."
        return errors


def spec(name: str) -> ss.FieldSpec:
    return ss.spec_of(ToyConfig, name)


def test_kinds_come_from_the_annotations_and_plain_fields_are_not_settings():
    kinds = {s.name: s.kind for s in ss.specs(ToyConfig)}
    assert kinds == {"on": "bool", "digit": "int", "seed": "int", "eta": "float", "colour": "str", "name": "str",
                     "start": "floats", "shape": "ints", "mix": "strs"}
    with pytest.raises(KeyError):
        ss.spec_of(ToyConfig, "note")


# ---------------------------------------------------------------- text round trips

@pytest.mark.parametrize("name, value", [
    ("on", True), ("on", False), ("digit", 0), ("digit", 9), ("seed", 2**31 - 1),
    ("eta", 0.1), ("eta", 1e-7), ("eta", 1 / 3), ("eta", 2.0), ("colour", "blue"), ("name", "a b"),
    ("start", (0.1, -3.0)), ("start", (1e-9, 7.25)), ("shape", (1, 64)), ("mix", ("red", "blue")), ("mix", ()),
])
def test_format_then_parse_gives_the_value_back_exactly(name, value):
    s = spec(name)
    text = ss.format_text(s, value)
    back = ss.parse_text(s, text)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize("name, text, value", [
    ("on", "yes", True), ("on", "OFF", False), ("digit", " 7 ", 7), ("digit", "7.0", 7), ("eta", "1e-3", 1e-3),
    ("start", "1;2", (1.0, 2.0)), ("shape", "2, 3", (2, 3)), ("mix", "red, green", ("red", "green")),
])
def test_text_is_read_as_people_type_it(name, text, value):
    assert ss.parse_text(spec(name), text) == value


@pytest.mark.parametrize("name, text, words", [
    ("seed", "banana", "Seed must be a whole number"),
    ("digit", "4.5", "whole number"),
    ("digit", "nan", "whole number"),
    ("digit", "1e400", "whole number"),
    ("on", "maybe", "on or off"),
    ("eta", "fast", "Step size η must be a number"),
    ("start", "1,x", "2 numbers separated by commas"),
    ("shape", "1.5,2", "whole numbers"),
])
def test_garbage_text_gets_a_message_naming_the_setting(name, text, words):
    with pytest.raises(ValueError, match=words):
        ss.parse_text(spec(name), text)


def test_a_long_garbage_value_is_shortened_in_the_message():
    with pytest.raises(ValueError) as err:
        ss.parse_text(spec("seed"), "9" * 30 + "x" * 500)
    assert len(str(err.value)) < 120


def test_urls_carry_only_what_differs_from_the_defaults_and_read_back_the_same_config():
    assert ss.to_query(ToyConfig()) == {}
    config = ToyConfig(on=False, digit=9, eta=1 / 3, colour="green", start=(0.5, -0.25), shape=(2, 8),
                       mix=("blue", "red"))
    query = ss.to_query(config)
    assert set(query) == {"on", "digit", "eta", "colour", "start", "shape", "mix"}
    assert all(isinstance(v, str) for v in query.values())
    back, errors = ss.from_query(ToyConfig, query | {"page": "xy", "utm_source": "mail"})
    assert errors == {} and back == config


def test_format_text_never_raises_even_for_values_check_refuses():
    for value in (math.inf, -math.inf, math.nan, 1e300):
        ss.format_text(spec("eta"), value)


# ---------------------------------------------------------------- checking values

@pytest.mark.parametrize("changes, field_name, words", [
    ({"eta": -5.0}, "eta", "greater than 0"),
    ({"eta": 0.0}, "eta", "greater than 0"),
    ({"eta": 50.0}, "eta", "at most 2"),
    ({"eta": math.nan}, "eta", "finite"),
    ({"eta": math.inf}, "eta", "finite"),
    ({"eta": 1e308 * 10}, "eta", "finite"),
    ({"eta": "0.1"}, "eta", "must be a number"),
    ({"eta": True}, "eta", "must be a number"),
    ({"digit": 42}, "digit", "between 0 and 9"),
    ({"digit": 2.5}, "digit", "whole number"),
    ({"digit": 10**30}, "digit", "between 0 and 9"),
    ({"digit": 10**400}, "digit", "between 0 and 9"),
    ({"eta": 10**400}, "eta", "at most 2"),
    ({"seed": -1}, "seed", "between 0 and 2147483647"),
    ({"colour": "<script>alert(1)</script>"}, "colour", "is not one of red, green, blue"),
    ({"colour": 3}, "colour", "must be text"),
    ({"on": "yes"}, "on", "on or off"),
    ({"start": (1.0,)}, "start", "needs 2 numbers"),
    ({"start": (1.0, 11.0)}, "start", "between -10 and 10"),
    ({"shape": (1, 2.5)}, "shape", "whole number"),
    ({"mix": ("red", "mauve")}, "mix", "'mauve' not among"),
    ({"mix": "red"}, "mix", "list of names"),
])
def test_a_bad_value_gets_one_message_on_its_own_field(changes, field_name, words):
    errors = ToyConfig(**changes).validate()
    assert list(errors) == [field_name] and words in errors[field_name]


def test_messages_stay_short_whatever_was_typed():
    errors = ToyConfig(colour="<script>" + "x" * 10_000 + "</script>", digit=10**400, mix=("y" * 999,)).validate()
    assert all(len(message) < 200 for message in errors.values()) and len(errors) == 3


# ---------------------------------------------------------------- mappings and files

def test_from_mapping_reports_unknown_and_bad_entries_and_keeps_the_rest():
    data = {"digit": 5, "eta": "banana", "seed": -3, "colour": "blue", "mystery": 1, "x" * 300: 2}
    config, errors = ss.from_mapping(ToyConfig, data)
    assert config == ToyConfig(digit=5, colour="blue")
    assert set(errors) == {"eta", "seed", "mystery", "x" * 300}
    assert errors["mystery"] == "Unknown setting 'mystery'." and len(errors["x" * 300]) < 60


def test_json_values_get_the_field_types():
    config, errors = ss.from_mapping(ToyConfig, {"digit": 4.0, "eta": 1, "start": [1, 2], "shape": [2.0, 3.0],
                                                 "mix": ["green"], "on": "0"})
    assert errors == {}
    assert type(config.digit) is int and type(config.eta) is float
    assert config.start == (1.0, 2.0) and all(type(v) is float for v in config.start)
    assert config.shape == (2, 3) and all(type(v) is int for v in config.shape)
    assert config.mix == ("green",) and config.on is False


def test_a_cross_field_rule_keeps_the_base_and_says_why():
    base = ToyConfig(digit=1)
    config, errors = ss.from_mapping(ToyConfig, {"mix": ["red", "blue"], "digit": 2}, base=base)
    assert config == base and "needs no other colours" in errors["mix"]


def test_to_mapping_is_json_ready_and_round_trips():
    config = ToyConfig(start=(3.0, 4.0), mix=("blue",))
    data = json.loads(json.dumps(ss.to_mapping(config)))
    assert "note" not in data
    assert ss.from_mapping(ToyConfig, data) == (config, {})


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not a readable JSON settings file"),
    (b"\xff\xfe\x00garbage", "not a readable JSON settings file"),
    (b"[1, 2, 3]", "table of name"),
    (b"42", "table of name"),
    (b'"settings"', "table of name"),
    (b'{"settings": {"digit": 42}}', "between 0 and 9"),
    (b'{"exported": "2026", "settings": {"eta": "NaN"}}', "finite"),
    (b'{"settings": {"eta": 1e400}}', "finite"),
    (b'{"settings": {"digit": 1' + b"0" * 400 + b'}}', "between 0 and 9"),
])
def test_a_corrupt_or_foreign_settings_file_gives_defaults_and_a_message(tmp_path, content, words):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    config, errors = ss.load_settings_file(ToyConfig, path)
    assert config == ToyConfig()
    assert any(words in message for message in errors.values()), errors


def test_a_missing_file_or_a_folder_is_refused_politely(tmp_path):
    assert "No settings file" in ss.load_settings_file(ToyConfig, tmp_path / "nope.json")[1]["config"]
    assert "not a readable" in ss.load_settings_file(ToyConfig, tmp_path)[1]["config"]


def test_an_export_with_other_keys_is_read_through_its_settings_table(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"lesson": "toy", "steps": 100, "settings": {"digit": 8}}))
    assert ss.load_settings_file(ToyConfig, path) == (ToyConfig(digit=8), {})


# ---------------------------------------------------------------- command line

def parser_for(cls) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toy")
    ss.add_arguments(parser, cls)
    return parser


def test_a_config_file_then_flags_which_override_it(tmp_path):
    path = tmp_path / "toy.json"
    path.write_text(json.dumps({"settings": {"digit": 8, "eta": 0.5, "colour": "green"}}))
    args = parser_for(ToyConfig).parse_args(["--config", str(path), "--eta", "0.25", "--start", "1", "2",
                                             "--no-on", "--mix", "blue,red"])
    config, errors = ss.from_arguments(ToyConfig, args)
    assert errors == {}
    assert config == ToyConfig(digit=8, eta=0.25, colour="green", start=(1.0, 2.0), on=False, mix=("blue", "red"))


def test_bad_flags_and_a_bad_file_are_all_reported(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{oops")
    args = parser_for(ToyConfig).parse_args(["--config", str(path), "--seed", "banana", "--digit", "42"])
    config, errors = ss.from_arguments(ToyConfig, args)
    assert config == ToyConfig() and set(errors) == {"config", "seed", "digit"}


def test_no_flags_means_the_defaults():
    assert ss.from_arguments(ToyConfig, parser_for(ToyConfig).parse_args([])) == (ToyConfig(), {})


def test_help_names_limits_choices_and_defaults_and_survives_percent_signs():
    text = parser_for(ToyConfig).format_help()
    assert "--config PATH.json" in text and "--on, --no-on" in text
    assert "one of red, green, blue" in text and "range 0..2147483647" in text and "5%" in text


# ---------------------------------------------------------------- every lesson's config

LESSON_CONFIGS = [Mapping1DConfig, CGANConfig, GameConfig, SpamConfig, ModeCollapseConfig]


@pytest.mark.parametrize("cls", LESSON_CONFIGS, ids=lambda c: c.__name__)
def test_every_field_of_every_lesson_config_is_a_described_valid_setting(cls):
    described = ss.specs(cls)
    assert [s.name for s in described] == [f.name for f in dataclasses.fields(cls)]
    labels = [s.setting.label for s in described]
    assert len(set(labels)) == len(labels)
    for s in described:
        assert s.setting.label and s.setting.help, s.name
        assert ss.check_value(s, s.default) is None, s.name
        if s.setting.choices is not None and s.kind == "str":
            assert s.default in s.setting.choices
    assert cls().validate() == {}


@pytest.mark.parametrize("cls", LESSON_CONFIGS, ids=lambda c: c.__name__)
def test_every_lesson_config_goes_through_its_faces_unchanged(cls):
    config = cls()
    assert ss.to_query(config) == {}
    assert ss.from_mapping(cls, json.loads(json.dumps(ss.to_mapping(config)))) == (config, {})
    parser = parser_for(cls)
    parser.format_help()
    assert ss.from_arguments(cls, parser.parse_args([])) == (config, {})
