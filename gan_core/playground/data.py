"""The real data of the 2-D playground: presets, and point sets people draw, paste or upload.

Everything lives in view coordinates: the plane shown is [-1, 1]². Presets are sampled there with a seed.
A pasted or uploaded set is fitted into the view (centred, its longer side scaled to FIT_SPAN), so units
do not matter; a drawing is kept as drawn (it already is in the view) unless `fit_to_view` is asked for.
Bad input raises `DataError` whose text is the message people read (never a traceback).
"""
from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

VIEW = 1.0  # the plane is [-VIEW, VIEW]²
FIT_SPAN = 1.7  # a fitted set's longer side spans this (the view is 2 wide: a margin of 0.15 each side)
MIN_POINTS = 5
MAX_POINTS = 5000
MAX_ABS = 1e9  # larger coordinates are refused (scaling them loses all precision)
MAX_TEXT_BYTES = 1_000_000  # pasted text or an uploaded CSV
PRESET_POINTS = 2000

PRESETS = {
    "ring8": "Ring of 8 Gaussians",
    "grid25": "5×5 grid of 25 Gaussians",
    "moons": "Two moons",
    "spiral": "Spiral",
    "line": "Line",
    "clusters": "Two clusters",
}


class DataError(ValueError):
    """A point set that cannot be used; str(error) is the message for people."""


@dataclass(frozen=True)
class PointSet:
    name: str  # a preset's name, or "drawing" / "pasted" / "uploaded" / "link"
    points: np.ndarray  # (N, 2) float64, view coordinates
    centres: np.ndarray | None = None  # mixture presets: mode centres (K, 2), for the mode metrics
    sigma: float | None = None  # mixture presets: the modes' σ
    note: str = ""  # what was done to the input (e.g. fitted into the view)
    label: str = field(default="", compare=False)

    @property
    def n(self) -> int:
        return len(self.points)

    @property
    def extent(self) -> float:
        """The longer side of the bounding box: the yardstick of coverage and precision."""
        return extent_of(self.points)

    @property
    def is_mixture(self) -> bool:
        return self.centres is not None


def extent_of(points: np.ndarray) -> float:
    p = np.asarray(points, dtype=np.float64)
    return float((p.max(0) - p.min(0)).max()) if len(p) else 0.0


# ---------------------------------------------------------------- presets

def _mixture(centres: np.ndarray, sigma: float, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, len(centres), n)
    return centres[idx] + sigma * rng.standard_normal((n, 2))


def preset(name: str, n: int = PRESET_POINTS, seed: int = 0) -> PointSet:
    """One of PRESETS, n points sampled with `seed` (same seed = same points)."""
    if name not in PRESETS:
        raise DataError(f"Unknown data set {name!r}: choose one of {', '.join(PRESETS)}.")
    rng = np.random.default_rng([seed, list(PRESETS).index(name)])
    centres, sigma = None, None
    if name == "ring8":
        a = 2 * np.pi * np.arange(8) / 8
        centres, sigma = 0.7 * np.stack([np.cos(a), np.sin(a)], 1), 0.025
        pts = _mixture(centres, sigma, n, rng)
    elif name == "grid25":
        ticks = np.linspace(-0.7, 0.7, 5)
        centres, sigma = np.array([(x, y) for x in ticks for y in ticks]), 0.02
        pts = _mixture(centres, sigma, n, rng)
    elif name == "clusters":
        centres, sigma = np.array([[-0.45, -0.35], [0.45, 0.35]]), 0.1
        pts = _mixture(centres, sigma, n, rng)
    elif name == "moons":
        upper = rng.random(n) < 0.5
        t = np.pi * rng.random(n)
        x = np.where(upper, np.cos(t), 1 - np.cos(t))
        y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
        pts = (np.stack([x, y], 1) - [0.5, 0.25]) * 0.55 + 0.04 * rng.standard_normal((n, 2))
    elif name == "spiral":
        t = np.sqrt(rng.random(n)) * 0.85 + 0.15  # uniform along the arm's length, roughly
        angle = 3 * np.pi * t
        pts = 0.8 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1) + 0.02 * rng.standard_normal((n, 2))
    else:  # line
        t = rng.random(n) * 2 - 1
        pts = np.stack([0.7 * t, 0.5 * t], 1) + 0.01 * rng.standard_normal((n, 2))
    return PointSet(name, pts.astype(np.float64), centres, sigma, label=PRESETS[name])


# ---------------------------------------------------------------- checking and fitting

def check_points(points: object, *, what: str = "The drawing") -> np.ndarray:
    """An (N, 2) float64 array of usable points, or DataError saying what is wrong."""
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a list of (x, y) pairs of numbers.") from None
    if arr.size == 0:
        raise DataError(f"{what} is empty: add at least {MIN_POINTS} points.")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"{what} must be a list of (x, y) pairs (got an array of shape {arr.shape}).")
    n = len(arr)
    bad = ~np.isfinite(arr).all(1)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{what} has {int(bad.sum())} point(s) that are not finite numbers "
                        f"(first: point {i + 1} = ({arr[i, 0]}, {arr[i, 1]})).")
    if n == 1:
        raise DataError(f"{what} has a single point: a GAN needs a spread to learn — add at least {MIN_POINTS}.")
    if n < MIN_POINTS:
        raise DataError(f"{what} has only {n} points: add at least {MIN_POINTS}.")
    if n > MAX_POINTS:
        raise DataError(f"{what} has {n:,} points: at most {MAX_POINTS:,} (thin it out).")
    big = np.abs(arr).max()
    if big > MAX_ABS:
        raise DataError(f"{what} has coordinates up to {big:.3g}: keep them within ±{MAX_ABS:.0e}.")
    if extent_of(arr) <= 1e-12 * max(1.0, big):
        raise DataError(f"All points of {what.lower()} are at the same place: spread them out.")
    return arr


def fit_to_view(points: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Centre the bounding box on 0 and scale its longer side to FIT_SPAN (one scale for both axes, so the
    shape is kept). Returns (fitted points, scale, centre): fitted = (points − centre) · scale. Idempotent."""
    p = np.asarray(points, dtype=np.float64)
    lo, hi = p.min(0), p.max(0)
    centre = (lo + hi) / 2
    scale = FIT_SPAN / float((hi - lo).max())
    return (p - centre) * scale, scale, centre


def _fitted(name: str, arr: np.ndarray) -> PointSet:
    fitted, scale, centre = fit_to_view(arr)
    moved = not (np.allclose(scale, 1.0, rtol=1e-9) and np.allclose(centre, 0.0, atol=1e-12))
    note = f"{len(arr)} points, fitted into the view (centred, scaled ×{scale:.3g})." if moved else f"{len(arr)} points."
    return PointSet(name, fitted, note=note)


def from_drawing(points: Iterable[Sequence[float]], *, fit: bool = False) -> PointSet:
    """Points clicked on the plane. Points outside the view are refused unless `fit`."""
    arr = check_points(list(points), what="The drawing")
    if fit:
        return _fitted("drawing", arr)
    outside = (np.abs(arr) > VIEW).any(1)
    if outside.any():
        raise DataError(f"{int(outside.sum())} drawn point(s) lie outside the plane [-1, 1]²: "
                        "erase them or fit the drawing into the view.")
    return PointSet("drawing", arr, note=f"{len(arr)} points.")


# ---------------------------------------------------------------- pasted text and CSV files

def _as_text(data: str | bytes, what: str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_TEXT_BYTES:
            raise DataError(f"{what} is {len(data) / 1e6:.1f} MB: at most {MAX_TEXT_BYTES / 1e6:.0f} MB.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(f"{what} is not UTF-8 text (is it a spreadsheet? export it as CSV).") from None
    if len(data) > MAX_TEXT_BYTES:
        raise DataError(f"{what} is {len(data) / 1e6:.1f} MB: at most {MAX_TEXT_BYTES / 1e6:.0f} MB.")
    return data.lstrip("\ufeff")


def _number(text: str, where: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        shown = text.strip() if len(text.strip()) <= 20 else text.strip()[:17] + "…"
        raise DataError(f"{where}: {shown!r} is not a number.") from None
    if not math.isfinite(value):
        raise DataError(f"{where}: {text.strip()} is not a usable coordinate (it must be a finite number).")
    return value


def _json_points(obj: object) -> list[tuple[float, float]]:
    if isinstance(obj, dict) and "points" in obj:
        obj = obj["points"]
    if not isinstance(obj, list):
        raise DataError("JSON must be a list of [x, y] pairs or of {\"x\": …, \"y\": …} objects.")
    out = []
    for i, item in enumerate(obj, 1):
        if isinstance(item, dict) and "x" in item and "y" in item:
            pair = (item["x"], item["y"])
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            pair = tuple(item)
        else:
            raise DataError(f"JSON item {i} is not an [x, y] pair.")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair):
            raise DataError(f"JSON item {i}: {pair!r} is not two numbers.")
        if not all(math.isfinite(v) for v in pair):
            raise DataError(f"JSON item {i}: {pair!r} is not two finite numbers.")
        out.append((float(pair[0]), float(pair[1])))
        if len(out) > MAX_POINTS:
            raise DataError(f"More than {MAX_POINTS:,} points: at most {MAX_POINTS:,} (thin them out).")
    return out


def parse_point_text(text: str | bytes) -> PointSet:
    """A pasted point list: JSON ([[x, y], …] or [{"x":…, "y":…}, …]) or one "x, y" per line
    (comma, semicolon, tab or spaces between; blank lines and lines starting with # are skipped;
    a first line that is not numbers is taken as a header). Fitted into the view."""
    text = _as_text(text, "The pasted text")
    stripped = text.strip()
    if not stripped:
        raise DataError(f"The pasted text is empty: paste one \"x, y\" per line (at least {MIN_POINTS}).")
    if stripped[0] in "[{":
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise DataError(f"The pasted text looks like JSON but is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
        pts = _json_points(obj)
    else:
        pts = []
        first = True
        for lineno, raw in enumerate(stripped.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cells = [c for c in line.replace(";", ",").replace("\t", ",").replace(" ", ",").split(",") if c.strip()]
            if first and len(cells) == 2 and not _all_numbers(cells):
                first = False
                continue  # a header such as "x, y"
            first = False
            if len(cells) != 2:
                raise DataError(f"Line {lineno}: {line[:40]!r} is not one x, y pair.")
            pts.append((_number(cells[0], f"Line {lineno}"), _number(cells[1], f"Line {lineno}")))
            if len(pts) > MAX_POINTS:
                raise DataError(f"More than {MAX_POINTS:,} points: at most {MAX_POINTS:,} (thin them out).")
    return _fitted("pasted", check_points(pts, what="The pasted list"))


def _all_numbers(cells: Sequence[str]) -> bool:
    try:
        [float(c) for c in cells]
        return True
    except ValueError:
        return False


def parse_csv(data: str | bytes, *, name: str = "The file") -> PointSet:
    """An uploaded CSV: columns named x and y (any case) when there is a header, else exactly two columns.
    Comma, semicolon or tab separated. Fitted into the view."""
    text = _as_text(data, name)
    if not text.strip():
        raise DataError(f"{name} is empty.")
    sample = text[:4096]
    delimiter = max(",;\t", key=sample.count) if any(d in sample for d in ",;\t") else ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise DataError(f"{name} has no rows.")
    header = None if _all_numbers([c for c in rows[0] if c.strip()]) else [c.strip() for c in rows[0]]
    body = rows[1:] if header is not None else rows
    if header is not None:
        lower = [h.lower() for h in header]
        if "x" in lower and "y" in lower:
            ix, iy = lower.index("x"), lower.index("y")
        elif len(header) == 2:
            ix, iy = 0, 1
        else:
            shown = ", ".join(header[:6]) + (", …" if len(header) > 6 else "")
            raise DataError(f"{name} has columns {shown}: it needs columns named x and y (or just two columns).")
    else:
        width = len(rows[0])
        if width != 2:
            raise DataError(f"{name} has {width} column{'s' if width != 1 else ''} and no header: "
                            "it needs two (x, y), or a header naming the x and y columns.")
        ix, iy = 0, 1
    if len(body) > MAX_POINTS:
        raise DataError(f"{name} has {len(body):,} rows: at most {MAX_POINTS:,} points (thin it out).")
    pts = []
    first_row = 2 if header is not None else 1
    for rowno, row in enumerate(body, first_row):
        if max(ix, iy) >= len(row):
            raise DataError(f"{name}, row {rowno}: has {len(row)} value(s), x and y expected.")
        where = f"{name}, row {rowno}"
        pts.append((_number(row[ix], where), _number(row[iy], where)))
    return _fitted("uploaded", check_points(pts, what=name))


# ---------------------------------------------------------------- a drawing in the page's link

LINK_LEVELS = 256  # each coordinate quantised to one byte over the view: steps of 2/255 ≈ 0.008
MAX_LINK_POINTS = MAX_POINTS
MAX_LINK_CHARS = 16_000  # 5,000 scattered points take about 13,400
_RAW, _ZLIB = 1, 2


def encode_points(points: np.ndarray) -> str:
    """A drawing as a short URL-safe text: one byte per coordinate on a 256-level grid over the view
    (points sorted, as order does not matter; zlib'd when that is shorter), base64url without padding."""
    p = check_points(points)
    if len(p) > MAX_LINK_POINTS:
        raise DataError(f"The drawing has {len(p):,} points: at most {MAX_LINK_POINTS:,} travel in a link.")
    q = np.clip(np.rint((p + VIEW) / (2 * VIEW) * (LINK_LEVELS - 1)), 0, LINK_LEVELS - 1).astype(np.uint8)
    q = q[np.lexsort((q[:, 1], q[:, 0]))]
    raw = q.tobytes()
    packed = zlib.compress(raw, 9)
    payload = bytes([_ZLIB]) + packed if len(packed) < len(raw) else bytes([_RAW]) + raw
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def decode_points(text: str) -> PointSet:
    """The inverse of `encode_points`; anything else gets a DataError (never more work than the caps allow)."""
    bad = "The drawing in this link is damaged or not a drawing"
    if not isinstance(text, str) or not text:
        raise DataError(f"{bad} (it is empty).")
    if len(text) > MAX_LINK_CHARS:
        raise DataError(f"{bad} (it is {len(text):,} characters long, at most {MAX_LINK_CHARS:,}).")
    try:
        payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DataError(f"{bad} (not base64url text).") from None
    if not payload or payload[0] not in (_RAW, _ZLIB):
        raise DataError(f"{bad} (unknown format).")
    raw = payload[1:]
    if payload[0] == _ZLIB:
        limit = 2 * MAX_LINK_POINTS
        try:
            d = zlib.decompressobj()
            raw = d.decompress(raw, limit + 1)
        except zlib.error:
            raise DataError(f"{bad} (its compressed data is broken).") from None
        if len(raw) > limit or d.unconsumed_tail:
            raise DataError(f"{bad} (more than {MAX_LINK_POINTS:,} points).")
    if len(raw) % 2:
        raise DataError(f"{bad} (odd number of coordinates).")
    if len(raw) > 2 * MAX_LINK_POINTS:
        raise DataError(f"{bad} (more than {MAX_LINK_POINTS:,} points).")
    q = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2).astype(np.float64)
    pts = q / (LINK_LEVELS - 1) * (2 * VIEW) - VIEW
    arr = check_points(pts, what="The drawing in this link")
    return PointSet("link", arr, note=f"{len(arr)} points from the link.")


def quantise_for_link(points: np.ndarray) -> np.ndarray:
    """What a drawing becomes after a trip through the link (for showing it honestly)."""
    return decode_points(encode_points(points)).points
