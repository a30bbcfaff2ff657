"""The playground's data: presets, drawn / pasted / uploaded points, their messages, and the link encoding."""
import base64
import zlib

import numpy as np
import pytest

from gan_core.playground import data as D


@pytest.mark.parametrize("name", list(D.PRESETS))
def test_presets_are_seeded_and_lie_in_the_view(name):
    a, b, c = D.preset(name, seed=3), D.preset(name, seed=3), D.preset(name, seed=4)
    assert np.array_equal(a.points, b.points) and not np.array_equal(a.points, c.points)
    assert a.points.shape == (D.PRESET_POINTS, 2) and np.isfinite(a.points).all()
    assert np.abs(a.points).max() < D.VIEW and a.extent > 0.5


def test_mixture_presets_carry_their_modes():
    ring = D.preset("ring8")
    assert ring.is_mixture and ring.centres.shape == (8, 2)
    radii = np.linalg.norm(ring.centres, axis=1)
    assert np.allclose(radii, radii[0])
    assert D.preset("grid25").centres.shape == (25, 2) and not D.preset("moons").is_mixture


@pytest.mark.parametrize("points, words", [
    ([], "empty"),
    ([(0.1, 0.2)], "single point"),
    ([(0, 0), (0.1, 0.1), (0.2, 0.3)], "only 3 points"),
    ([(0, 0), (0.1, float("nan")), (0.2, 0.3), (0.3, 0.3), (0.4, 0.1)], "not finite"),
    ([(0, 0), (0.1, float("inf")), (0.2, 0.3), (0.3, 0.3), (0.4, 0.1)], "not finite"),
    ([(0.5, 0.5)] * 6, "same place"),
    ([(0, 0), (1e12, 0), (0.2, 0.3), (0.3, 0.3), (0.4, 0.1)], "within"),
    ([(1, 2, 3)] * 6, "(x, y) pairs"),
    ([("a", "b")] * 6, "pairs of numbers"),
])
def test_bad_drawings_get_a_clear_message(points, words):
    with pytest.raises(D.DataError, match=None) as err:
        D.from_drawing(points)
    assert words in str(err.value)


def test_too_many_points_is_refused_with_the_cap():
    pts = np.random.default_rng(0).uniform(-0.9, 0.9, (D.MAX_POINTS + 1, 2))
    with pytest.raises(D.DataError, match=f"at most {D.MAX_POINTS:,}"):
        D.from_drawing(pts)


def test_a_drawing_outside_the_plane_is_refused_unless_fitted():
    pts = [(0, 0), (2, 0), (0, 1), (1, 1), (0.5, 0.2)]
    with pytest.raises(D.DataError, match="outside the plane"):
        D.from_drawing(pts)
    fitted = D.from_drawing(pts, fit=True)
    assert np.abs(fitted.points).max() <= D.FIT_SPAN / 2 + 1e-12 and "fitted" in fitted.note


def test_fit_keeps_the_shape_and_is_idempotent():
    rng = np.random.default_rng(1)
    pts = rng.normal(50, [30, 3], (200, 2))  # wide and flat, far from the origin
    fitted, scale, centre = D.fit_to_view(pts)
    assert np.allclose((fitted.max(0) + fitted.min(0)) / 2, 0)
    assert np.isclose((fitted.max(0) - fitted.min(0)).max(), D.FIT_SPAN)
    assert np.allclose(fitted, (pts - centre) * scale)  # one scale for both axes: shapes are kept
    again, scale2, _ = D.fit_to_view(fitted)
    assert np.allclose(again, fitted) and np.isclose(scale2, 1.0)


def test_pasted_lines_with_header_comments_and_any_separator():
    text = "x, y\n# my shape\n0, 0\n1;1\n2\t0\n\n3 1\n4,0\n"
    s = D.parse_point_text(text)
    assert s.n == 5 and s.name == "pasted"
    assert np.isclose((s.points.max(0) - s.points.min(0)).max(), D.FIT_SPAN)


def test_pasted_json_in_both_forms():
    pairs = [[0, 0], [1, 2], [2, 1], [3, 3], [4, 0]]
    a = D.parse_point_text(str(pairs))
    b = D.parse_point_text('{"points": [' + ",".join(f'{{"x": {x}, "y": {y}}}' for x, y in pairs) + "]}")
    assert np.allclose(a.points, b.points)


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("   \n  \n", "empty"),
    ("0,0\n1,1\nabc,2\n3,3\n4,4", "Line 3: 'abc' is not a number"),
    ("0,0\n1,1,1\n", "Line 2"),
    ("0,0\n1,nan\n2,2\n3,3\n4,4", "finite"),
    ("[[0, 0], [1, 1]", "not valid JSON"),
    ("[[0, 0], [1, true], [2, 2], [3, 3], [4, 4]]", "item 2"),
    ('{"a": 1}', "JSON must be a list"),
    ("0,0\n1,1", "only 2 points"),
])
def test_bad_pasted_text_gets_a_clear_message(text, words):
    with pytest.raises(D.DataError) as err:
        D.parse_point_text(text)
    assert words in str(err.value)


def test_csv_with_named_columns_among_others_and_a_bom():
    csv = "\ufeffid,Y,label,X\n1,0,a,0\n2,1,b,1\n3,0,c,2\n4,1,d,3\n5,0,e,4\n".encode("utf-8")
    s = D.parse_csv(csv)
    assert s.n == 5 and s.name == "uploaded"
    xs = s.points[:, 0]
    assert np.all(np.diff(xs) > 0)  # X was taken as x (0..4 increasing), not the first column


def test_csv_without_header_semicolons():
    s = D.parse_csv("0;0\n1;1\n2;0\n3;1\n4;0\n")
    assert s.n == 5


@pytest.mark.parametrize("content, words", [
    ("", "empty"),
    ("a,b,c\n1,2,3\n4,5,6\n", "needs columns named x and y"),
    ("1,2,3\n4,5,6\n", "3 columns and no header"),
    ("1\n2\n3\n", "1 column and no header"),
    ("x,y\n0,0\n1,one\n2,2\n3,3\n4,4\n", "row 3: 'one' is not a number"),
    ("x,y\n0,0\n1,NaN\n2,2\n3,3\n4,4\n", "finite"),
    ("x,y\n0,0\n1\n2,2\n3,3\n4,4\n", "row 3"),
    (b"\xff\xfe\x00x", "not UTF-8"),
])
def test_bad_csv_gets_a_clear_message(content, words):
    with pytest.raises(D.DataError) as err:
        D.parse_csv(content)
    assert words in str(err.value)


def test_csv_too_large_is_refused_before_parsing():
    with pytest.raises(D.DataError, match="MB"):
        D.parse_csv(b"0,0\n" * (D.MAX_TEXT_BYTES // 4 + 1))


def test_link_round_trip_within_the_quantisation_step():
    pts = np.random.default_rng(2).uniform(-0.95, 0.95, (400, 2))
    text = D.encode_points(pts)
    assert text.isascii() and all(c.isalnum() or c in "-_" for c in text)
    back = D.decode_points(text).points
    step = 2 * D.VIEW / (D.LINK_LEVELS - 1)
    # order is not kept (sorted): compare as sets via nearest neighbours
    from gan_core.playground.metrics import nearest_distance
    assert nearest_distance(pts, back).max() <= step / 2 * np.sqrt(2) + 1e-12
    assert len(back) == len(pts)


def test_a_clustered_drawing_compresses():
    pts = np.repeat(np.array([[0.5, 0.5], [-0.5, -0.5]]), 300, axis=0)
    assert len(D.encode_points(pts)) < 100


def _b64(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("!!!not base64!!!", "base64"),
    ("A" * (D.MAX_LINK_CHARS + 1), "characters long"),
    (_b64(bytes([9, 1, 2])), "unknown format"),
    (_b64(bytes([1, 1, 2, 3])), "odd number"),
    (_b64(bytes([1, 10, 10])), "single point"),
    (_b64(bytes([2]) + b"garbage"), "compressed data is broken"),
    (_b64(bytes([2]) + zlib.compress(b"\x00" * 2_000_000, 9)), "more than"),  # a decompression bomb
])
def test_hostile_links_get_a_clear_message(text, words):
    with pytest.raises(D.DataError) as err:
        D.decode_points(text)
    assert words in str(err.value)
