"""Capped training histories: memory stays flat however long a class runs."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


class CappedHistory:
    """Named numeric series recorded together (one row per record), keeping the last `capacity` rows.

    Stored in a fixed NumPy ring buffer, so a one-hour run uses the same memory as a one-minute run.
    `view(max_points)` returns a decimated copy (evenly spaced rows) for plotting.
    """

    def __init__(self, names: Iterable[str], capacity: int = 2000):
        self.names = tuple(names)
        if not self.names:
            raise ValueError("CappedHistory needs at least one series name")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = int(capacity)
        self._data = np.full((self.capacity, len(self.names)), np.nan, dtype=np.float64)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._count = 0  # rows ever recorded

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    @property
    def total_recorded(self) -> int:
        return self._count

    def clear(self) -> None:
        self._data.fill(np.nan)
        self._count = 0

    def append(self, row: Mapping[str, float]) -> None:
        """Record one row; missing names are stored as NaN, unknown names are an error."""
        unknown = set(row) - set(self._index)
        if unknown:
            raise KeyError(f"unknown series: {sorted(unknown)}")
        values = np.full(len(self.names), np.nan)
        for name, value in row.items():
            values[self._index[name]] = float(value)
        self._data[self._count % self.capacity] = values
        self._count += 1

    def _ordered(self) -> np.ndarray:
        n = len(self)
        if self._count <= self.capacity:
            return self._data[:n]
        start = self._count % self.capacity
        return np.concatenate([self._data[start:], self._data[:start]])

    def column(self, name: str) -> np.ndarray:
        return self._ordered()[:, self._index[name]].copy()

    def last(self, name: str) -> float:
        if self._count == 0:
            return float("nan")
        return float(self._data[(self._count - 1) % self.capacity, self._index[name]])

    def view(self, max_points: int = 400) -> dict[str, np.ndarray]:
        """Oldest-to-newest columns, decimated to at most `max_points` evenly spaced rows (last row kept)."""
        data = self._ordered()
        if len(data) > max_points > 1:
            idx = np.linspace(0, len(data) - 1, max_points).round().astype(int)
            data = data[idx]
        return {name: data[:, i].copy() for name, i in self._index.items()}

    def records(self, max_points: int = 400) -> list[dict[str, float | None]]:
        """Decimated rows as dicts (NaN -> None), ready for a Vega-Lite data array."""
        cols = self.view(max_points)
        n = len(next(iter(cols.values())))
        out = []
        for i in range(n):
            out.append({k: (None if not np.isfinite(v[i]) else float(v[i])) for k, v in cols.items()})
        return out
