"""The live 1-D figures: plain Vega-Lite dicts whose spec depends on the settings only, with bounded data."""
import copy
import json

import numpy as np
import pandas as pd
import pytest

from gan_core.mapping_1d import figures
from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.trainer import Mapping1DTrainer


def make_trainer(**settings) -> Mapping1DTrainer:
    return Mapping1DTrainer(Mapping1DConfig(**settings))


def without_data(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "datasets"}


def named_data(node, found=None) -> set[str]:
    """Every dataset name a spec refers to, at any depth."""
    found = set() if found is None else found
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and "name" in data:
            found.add(data["name"])
        for value in node.values():
            named_data(value, found)
    elif isinstance(node, list):
        for value in node:
            named_data(value, found)
    return found


@pytest.fixture(scope="module")
def trained():
    trainer = make_trainer(seed=3)
    trainer.step(300)
    return trainer


def test_every_figure_is_a_vega_lite_dict_whose_named_data_is_attached(trained):
    figs = figures.build_live_figures(trained)
    assert set(figs) == set(figures.FIGURES)
    for name, spec in figs.items():
        json.dumps(without_data(spec))  # plain JSON apart from the DataFrames
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert "layer" in spec and spec["layer"], name
        assert named_data(spec) == set(spec["datasets"]), name
        for df in spec["datasets"].values():
            assert isinstance(df, pd.DataFrame)


def test_between_two_ticks_only_the_datasets_change(trained):
    before = figures.build_live_figures(trained)
    trained.step(120)
    after = figures.build_live_figures(trained)
    for name in before:
        assert json.dumps(without_data(before[name]), sort_keys=True) == json.dumps(without_data(after[name]), sort_keys=True)
    # ...and the data did change: G moved and the history grew.
    assert not before["density"]["datasets"]["m1d_hist"].equals(after["density"]["datasets"]["m1d_hist"])
    assert len(after["losses"]["datasets"]["m1d_losses"]) > len(before["losses"]["datasets"]["m1d_losses"])


def test_dataset_sizes_stay_bounded_however_long_the_run():
    trainer = Mapping1DTrainer(Mapping1DConfig(seed=1), log_every=1)  # one history row per step
    trainer.step(figures.MAX_POINTS + 150)
    assert len(trainer.history) > figures.MAX_POINTS
    data = figures.live_data(trainer)
    for name in ("m1d_losses", "m1d_verdict", "m1d_w1", "m1d_g_grad"):
        assert 0 < len(data[name]) <= figures.MAX_POINTS, name
    assert len(data["m1d_hist"]) == figures.N_BINS
    assert len(data["m1d_curve"]) == len(data["m1d_map"]) == figures.N_GRID
    assert len(data["m1d_links"]) == figures.N_LINKS
    assert len(data["m1d_offchart"]) == 2


def test_drawing_does_not_change_the_run():
    """Same seed + same settings = the same run, however often the page redraws in between."""
    watched, unwatched = make_trainer(seed=5), make_trainer(seed=5)
    for _ in range(4):
        watched.step(30)
        figures.build_live_figures(watched)
    unwatched.step(120)
    np.testing.assert_array_equal(watched.history.column("d_loss"), unwatched.history.column("d_loss"))
    z = np.linspace(0, 1, 7)
    np.testing.assert_array_equal(watched.generator_map(z), unwatched.generator_map(z))


@pytest.mark.parametrize("noise", ["uniform", "normal"])
def test_a_perfect_generator_draws_the_target_histogram(noise):
    """With G = the ideal map, the generated histogram is the target's mass per bin (the noise quantiles
    stand in for z exactly), so the figure shows a perfect fit as a perfect fit."""
    trainer = make_trainer(target="mixture:0.3,-1,0.4;0.7,2,0.6", noise=noise)
    trainer.generator_map = trainer.ideal_map  # instance attribute: this trainer only
    hist = figures.live_data(trainer)["m1d_hist"]
    target = trainer.target
    expected = (target.cdf(hist["hi"].to_numpy()) - target.cdf(hist["lo"].to_numpy())) / (hist["hi"] - hist["lo"])
    np.testing.assert_allclose(hist["fake"].to_numpy(), expected.to_numpy(), atol=0.02)
    # the fixed real sample is a density too (all but the tails lie inside the plot range)
    width = (hist["hi"] - hist["lo"]).to_numpy()
    assert abs(float((hist["real"].to_numpy() * width).sum()) - 1.0) < 0.01


def test_samples_beyond_the_chart_are_counted_at_its_edge():
    trainer = make_trainer()
    lo, hi = trainer.target.plot_range()
    trainer.generator_map = lambda z: np.full(np.shape(z), hi + 50.0)
    edge = figures.live_data(trainer)["m1d_offchart"]
    labels = [figures.offchart_label(s, side) for s, side in zip(edge["share"], edge["side"])]
    assert labels[0] == ""
    assert labels[1].startswith("100%") and "right" in labels[1]
    # the browser writes the text from the same numbers (no string column in the tick's data)
    density = figures.build_live_figures(trainer)["density"]
    text_layer = next(layer for layer in density["layer"][0]["layer"] if layer["data"]["name"] == "m1d_offchart")
    assert text_layer["transform"][0] == {"calculate": figures.OFFCHART_LABEL, "as": "label"}


def test_the_live_page_gets_arrow_bytes_that_hold_the_same_numbers(trained):
    """arrow=True (the page's path) serialises the same columns the DataFrames hold (as float32), each
    dataset once."""
    import pyarrow as pa

    frames = figures.build_live_figures(trained)
    shipped = figures.build_live_figures(trained, arrow=True)
    assert shipped["transport"]["datasets"]["m1d_links"] is shipped["map"]["datasets"]["m1d_links"]
    for name, spec in shipped.items():
        assert without_data(spec) == without_data(frames[name])
        for ds, payload in spec["datasets"].items():
            assert isinstance(payload, bytes)
            table = pa.ipc.open_stream(payload).read_all()
            expected = frames[name]["datasets"][ds]
            assert table.column_names == list(expected.columns), ds
            for col in expected.columns:
                sent = table.column(col).to_numpy(zero_copy_only=False)
                assert sent.dtype == np.float32  # what a chart needs, half the bytes of float64
                np.testing.assert_allclose(sent, expected[col].to_numpy(), rtol=1e-6, atol=1e-30)


def test_arrow_bytes_are_exactly_what_pyarrows_stream_writer_makes(trained):
    """The page's Arrow bytes are put together from a cached schema message: they must be the writer's."""
    import pyarrow as pa

    for _ in range(2):  # the second time from the cached schemas
        for name, columns in figures.live_columns(trained).items():
            batch = pa.record_batch([pa.array(figures._float32(v)) for v in columns.values()], names=list(columns))
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
            assert figures.arrow_bytes(columns) == sink.getvalue().to_pybytes(), name


def _writer_bytes(columns: dict) -> bytes:
    import pyarrow as pa

    batch = pa.record_batch([pa.array(figures._float32(np.asarray(v))) for v in columns.values()], names=list(columns))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 7, 60, 301])
def test_arrow_bytes_from_cached_headers_match_the_writer_for_any_rows_and_values(rows):
    """The batch header is cached per (names, rows) and the body is the columns' bytes: other values of the
    same shape (NaN, ±inf, huge float64) must still give the writer's bytes, and odd row counts its padding."""
    rng = np.random.default_rng(rows)
    for _ in range(3):  # the first time fills the caches, then other numbers through the cached header
        columns = {"x": rng.normal(size=rows), "y": rng.normal(size=rows).astype(np.float32),
                   "odd": np.where(rng.random(rows) < 0.3, np.inf, -1e300 * rng.random(rows))}
        assert figures.arrow_bytes(columns) == _writer_bytes(columns)
    ints = {"step": np.arange(rows), "v": rng.normal(size=rows)}  # not all float: the writer's own path
    assert figures.arrow_bytes(ints) == _writer_bytes(ints)


def test_a_vanished_gradient_is_drawn_on_the_floor_of_the_log_axis():
    trainer = Mapping1DTrainer(Mapping1DConfig(), log_every=1)
    trainer.step(3)
    trainer.history.append({"step": 4, "g_grad": 0.0, "w1": 0.0})
    g = figures.live_data(trainer)["m1d_g_grad"]["g_grad"].to_numpy()
    assert g[-1] == figures.LOG_FLOOR and np.all(g > 0)


@pytest.mark.parametrize(
    "settings, probability",
    [
        (dict(loss="nonsaturating"), True),
        (dict(loss="minimax", target="exp:1"), True),
        (dict(loss="least_squares", target="uniform:-1,2", noise="normal"), False),
        (dict(loss="wgan_gp", target="mixture:0.5,-2,0.5;0.5,2,0.5"), False),
    ],
)
def test_d_axis_is_a_probability_only_for_the_cross_entropy_losses(settings, probability):
    trainer = make_trainer(**settings)
    trainer.step(20)
    spec = figures.build_live_figures(trainer)["density"]
    d_layer = spec["layer"][1]["layer"][0]
    y = d_layer["encoding"]["y"]
    assert (y["scale"].get("domain") == [0, 1]) is probability
    assert ("P(real)" in y["axis"]["title"]) is probability
    # the x-axes of the histogram and of the transport panel use the target's fixed plot range
    lo, hi = trainer.target.plot_range()
    assert spec["layer"][0]["layer"][0]["encoding"]["x"]["scale"]["domain"] == [lo, hi]


def test_specs_do_not_share_mutable_parts_between_calls(trained):
    """Streamlit pops `datasets` off the spec it is given; the next tick must still get a full spec."""
    first = figures.build_live_figures(trained)
    kept = copy.deepcopy(without_data(first["density"]))
    first["density"].pop("datasets")
    first["density"]["layer"].clear()
    second = figures.build_live_figures(trained)
    assert without_data(second["density"]) == kept


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax", "least_squares", "wgan_gp"])
def test_the_push_arrows_are_minus_the_generator_loss_gradient(loss):
    """The red arrows read D's curve only; check them against autograd through D (torch engine)."""
    import torch

    torch.set_num_threads(1)  # tiny nets: threads only add overhead
    trainer = Mapping1DTrainer(Mapping1DConfig(loss=loss, seed=2), engine="torch")
    trainer.step(20)
    x = np.linspace(2.0, 4.0, 9)
    mean, std = trainer.target.mean, trainer.target.std
    x_std = torch.tensor((x - mean) / std, dtype=torch.float32, requires_grad=True)
    out = trainer.engine.D(x_std.reshape(-1, 1)).ravel()
    per_sample = {
        "nonsaturating": torch.nn.functional.softplus(-out),  # −log D
        "minimax": -torch.nn.functional.softplus(out),  # log(1 − D)
        "least_squares": 0.5 * (out - 1) ** 2,
        "wgan_gp": -out,
    }[loss]
    per_sample.sum().backward()
    expected = -x_std.grad.numpy() / std  # −∂ℓ/∂x in data units
    np.testing.assert_allclose(figures.generator_push(trainer, x), expected, rtol=0.02, atol=1e-4)


def test_live_numbers_show_w1_at_step_zero_before_any_is_recorded():
    from gan_core.mapping_1d import figures as F
    from gan_core.mapping_1d.config import Mapping1DConfig as Config
    from gan_core.mapping_1d import trainer as T

    trainer = getattr(T, "Mapping1DTrainer", None) or T.Trainer1D
    t = trainer(Config())
    numbers = F.live_numbers(t)
    assert numbers["step"] == 0 and numbers["w1"] == t.w1() and numbers["w1_over_sigma"] >= 1.0


@pytest.mark.parametrize("noise", ["uniform", "normal"])
def test_the_per_run_numbers_are_the_ideal_maps_and_cannot_be_changed_by_a_reader(noise):
    """static_columns is computed once per target and noise and shared by every session: it must hold the
    trainer's ideal map F⁻¹(noise CDF(z)) (clipped at the ends) and be read-only."""
    from gan_core.mapping_1d.targets import noise_cdf, noise_quantile

    trainer = make_trainer(target="exp:1.5", noise=noise)
    fixed = figures.static_columns(trainer.target, noise)
    z = fixed["z_grid"]
    u = np.clip(noise_cdf(z, noise), 1e-4, 1 - 1e-4)
    assert np.allclose(fixed["ideal"], trainer.ideal_map(noise_quantile(u, noise)))
    assert np.allclose(fixed["pdf"], trainer.target.pdf(fixed["x"]))
    data = figures.live_columns(trainer)
    assert np.allclose(data["m1d_map"]["ideal"], fixed["ideal"])
    with pytest.raises(ValueError):
        fixed["ideal"][0] = 0.0
    assert figures.static_columns(trainer.target, noise) is fixed  # once per run, not per tick
