"""1-D targets: sampling, density, quantile function and spec parsing agree with each other."""
import numpy as np
import pytest

from gan_core.mapping_1d.targets import (
    TARGET_KINDS,
    TARGET_PARAMS,
    canonical_target,
    parse_target,
    same_target,
    target_params,
    target_spec,
)

SPECS = ["normal:3,0.7", "uniform:-1,2", "mixture:0.5,-2,0.5;0.5,2,0.5", "mixture:1,0,1;3,4,0.5", "exp:1.5"]


@pytest.mark.parametrize("spec", SPECS)
def test_pdf_integrates_to_one_over_its_support(spec):
    target = parse_target(spec)
    lo, hi = target.inverse_cdf(np.array([1e-9, 1 - 1e-9]))
    x = np.linspace(lo - 1, hi + 1, 400_001)
    assert np.trapezoid(target.pdf(x), x) == pytest.approx(1.0, abs=2e-3)


@pytest.mark.parametrize("spec", SPECS)
def test_inverse_cdf_matches_the_quantiles_of_samples(spec):
    target = parse_target(spec)
    samples = target.sample(200_000, np.random.default_rng(0))
    u = np.array([0.05, 0.2, 0.35, 0.65, 0.8, 0.95])  # not ½: a symmetric two-mode mixture is flat there
    assert np.quantile(samples, u) == pytest.approx(target.inverse_cdf(u), abs=0.02 * target.std)


@pytest.mark.parametrize("spec", SPECS)
def test_cdf_inverts_the_quantile_function(spec):
    target = parse_target(spec)
    u = np.linspace(0.01, 0.99, 50)
    assert target.cdf(target.inverse_cdf(u)) == pytest.approx(u, abs=1e-9)


@pytest.mark.parametrize("spec", SPECS)
def test_mean_and_std_match_samples(spec):
    target = parse_target(spec)
    samples = target.sample(400_000, np.random.default_rng(1))
    assert samples.mean() == pytest.approx(target.mean, abs=0.01 * target.std)
    assert samples.std() == pytest.approx(target.std, rel=0.01)


def test_closed_form_moments():
    assert parse_target("uniform:0,1").std == pytest.approx(1 / np.sqrt(12))
    assert parse_target("exp:2").mean == pytest.approx(0.5)
    mix = parse_target("mixture:1,-2,0.5;1,2,0.5")
    assert mix.mean == pytest.approx(0.0)
    assert mix.std == pytest.approx(np.sqrt(0.25 + 4))


def test_exponential_is_minus_log_of_uniform():
    # The lecture's hand-made mapping: x = −ln z turns z ~ U(0,1) into Exp(1); with u = 1 − z it is F⁻¹(u).
    z = np.array([0.9, 0.5, 0.1])
    assert parse_target("exp:1").inverse_cdf(1 - z) == pytest.approx(-np.log(z))


def test_spec_label_and_canonical_round_trip():
    t = parse_target(" Normal : 3 , 0.70 ")
    assert t.spec == "normal:3,0.7"
    assert t.label == "N(3, 0.7²)"
    assert parse_target(t.spec) == t
    mix = parse_target("mixture:2,-1,0.5;2,1,0.5")
    assert mix.weights == (0.5, 0.5)
    assert parse_target(mix.spec) == mix


@pytest.mark.parametrize("spec", SPECS)
def test_plot_range_covers_nearly_all_the_mass(spec):
    target = parse_target(spec)
    lo, hi = target.plot_range()
    assert target.cdf(np.array([hi]))[0] - target.cdf(np.array([lo]))[0] > 0.99


@pytest.mark.parametrize(
    "spec, words",
    [
        ("normal:0,0", "greater than 0"),
        ("normal:0,-1", "greater than 0"),
        ("normal:0", "exactly 2"),
        ("normal:a,1", "not a number"),
        ("normal:nan,1", "finite"),
        ("uniform:2,1", "A < B"),
        ("mixture:", "at least one component"),
        ("mixture:0.5,1", "exactly 3"),
        ("mixture:0,1,1;0,2,1", "weight must be greater than 0"),
        ("mixture:1,0,1;-1,2,1", "weight must be greater than 0"),
        ("mixture:1,0,0", "greater than 0"),
        ("exp:0", "greater than 0"),
        ("beta:1,2", "unknown target kind"),
        ("3,0.7", "must look like"),
    ],
)
def test_bad_specs_raise_a_human_message(spec, words):
    with pytest.raises(ValueError, match=words):
        parse_target(spec)


# -- a target as form fields (kind + numbers) and back ------------------------------------------

@pytest.mark.parametrize("spec", SPECS)
def test_form_fields_give_back_the_same_distribution(spec):
    kind, params = target_params(spec)
    assert kind in TARGET_KINDS and set(params) == set(TARGET_PARAMS[kind])
    rebuilt = target_spec(kind, params)
    assert same_target(rebuilt, spec) and parse_target(rebuilt) == parse_target(spec)


def test_every_kind_starts_from_a_valid_target():
    assert set(TARGET_KINDS) == set(TARGET_PARAMS)
    for kind in TARGET_PARAMS:
        target = parse_target(target_spec(kind, {}))
        assert target_params(target.spec) == (kind, TARGET_PARAMS[kind])


def test_a_mixture_form_gives_bump_two_the_rest_of_the_weight():
    spec = target_spec("mixture", {"w1": 0.25, "mu1": -1.0, "s1": 0.5, "mu2": 3.0, "s2": 1.0})
    assert spec == "mixture:0.25,-1,0.5;0.75,3,1"
    assert parse_target(spec).mean == pytest.approx(0.25 * -1 + 0.75 * 3)


@pytest.mark.parametrize("kind, params, words", [
    ("normal", {"sigma": None}, "normal:MU,SIGMA"),  # an emptied number box
    ("normal", {"sigma": 0.0}, "greater than 0"),
    ("uniform", {"a": 2.0, "b": 1.0}, "A < B"),
    ("mixture", {"w1": 1.5}, "weight must be greater than 0"),
])
def test_bad_form_fields_give_a_spec_that_parse_target_explains(kind, params, words):
    with pytest.raises(ValueError, match=words):
        parse_target(target_spec(kind, params))


def test_unknown_kinds_and_unshowable_targets():
    with pytest.raises(ValueError, match="unknown target kind"):
        target_spec("cauchy", {})
    assert target_params("normal:3,0") is None
    assert target_params("mixture:1,0,1;1,2,1;1,4,1") is None  # three bumps: the two-bump form cannot show it


def test_canonical_spelling_makes_equal_targets_equal():
    assert canonical_target("gaussian: 3, 0.70") == "normal:3,0.7"
    assert same_target("Exponential:2", "exp:2.0") and not same_target("exp:2", "exp:3")
    assert canonical_target("not a target") == "not a target"
