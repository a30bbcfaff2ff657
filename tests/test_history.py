"""CappedHistory: bounded memory, order kept, decimation for plotting."""
import numpy as np
import pytest

from gan_core.history import CappedHistory


def test_keeps_only_the_last_capacity_rows_in_order():
    h = CappedHistory(["step", "loss"], capacity=5)
    for i in range(12):
        h.append({"step": i, "loss": 10 * i})
    assert len(h) == 5
    assert h.total_recorded == 12
    np.testing.assert_array_equal(h.column("step"), [7, 8, 9, 10, 11])
    assert h.last("loss") == 110


def test_memory_is_flat_however_many_rows_are_recorded():
    h = CappedHistory(["a"], capacity=100)
    nbytes = h._data.nbytes
    for i in range(10_000):
        h.append({"a": i})
    assert h._data.nbytes == nbytes
    assert len(h) == 100


def test_view_decimates_to_max_points_and_keeps_first_and_last():
    h = CappedHistory(["step"], capacity=1000)
    for i in range(1000):
        h.append({"step": i})
    v = h.view(max_points=50)["step"]
    assert len(v) == 50
    assert v[0] == 0 and v[-1] == 999
    assert np.all(np.diff(v) > 0)


def test_missing_values_are_nan_and_records_turn_them_into_none():
    h = CappedHistory(["step", "w1"], capacity=10)
    h.append({"step": 1})
    h.append({"step": 2, "w1": 0.5})
    assert np.isnan(h.column("w1")[0])
    assert h.records() == [{"step": 1.0, "w1": None}, {"step": 2.0, "w1": 0.5}]


def test_unknown_series_and_bad_capacity_are_rejected():
    h = CappedHistory(["step"], capacity=3)
    with pytest.raises(KeyError):
        h.append({"nope": 1})
    with pytest.raises(ValueError):
        CappedHistory(["a"], capacity=0)
    with pytest.raises(ValueError):
        CappedHistory([], capacity=3)


def test_clear_empties_the_history():
    h = CappedHistory(["a"], capacity=3)
    h.append({"a": 1})
    h.clear()
    assert len(h) == 0 and np.isnan(h.last("a"))
