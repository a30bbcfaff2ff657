"""gan_core/resume_state.py: a trainer's state to JSON + arrays and back; nothing but its own forms accepted."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gan_core import resume_state as rs


def test_nested_state_round_trips_with_its_types():
    state = {"rng": {"bit_generator": "PCG64", "state": {"state": 2**127 + 5, "inc": 3}}, 0: (1, 2.5, None),
             "blocks": [np.arange(6, dtype=np.float32).reshape(2, 3), None], "t": torch.tensor([1, 2]),
             "scalar": torch.tensor(3.0), "nan": float("nan"), "flag": True}
    skeleton, arrays = rs.pack(state)
    back = rs.unpack(skeleton, arrays)
    assert back["rng"] == state["rng"] and back[0] == (1, 2.5, None) and back["flag"] is True
    assert back["blocks"][0].dtype == np.float32 and np.array_equal(back["blocks"][0], state["blocks"][0])
    assert isinstance(back["t"], torch.Tensor) and back["t"].tolist() == [1, 2]
    assert back["scalar"].shape == () and back["scalar"].item() == 3.0  # 0-d survives safetensors' (1,)
    assert math.isnan(back["nan"])
    assert all(k.startswith(rs.PREFIX) for k in arrays)


@pytest.mark.parametrize("skeleton", [
    {"exec": "import os"}, {"a": "resume.9"}, {"d": [[1]]}, {"d": [[{"l": []}, 1]]}, {"f": "1e999"}, [1, 2],
])
def test_anything_else_is_refused(skeleton):
    with pytest.raises(rs.StateError):
        rs.unpack(skeleton, {})


def test_a_deeply_nested_state_is_refused():
    skeleton = 0
    for _ in range(rs.MAX_DEPTH + 2):
        skeleton = {"l": [skeleton]}
    with pytest.raises(rs.StateError, match="too deeply"):
        rs.unpack(skeleton, {})


def test_an_optimiser_state_with_a_wrong_shape_is_refused_and_the_optimiser_kept():
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(net.parameters())
    net(torch.ones(1, 3)).sum().backward()
    opt.step()
    state = opt.state_dict()
    state["state"][0]["exp_avg"] = torch.zeros(5)
    before = opt.state_dict()["state"][0]["exp_avg"].clone()
    with pytest.raises(rs.StateError, match="exp_avg"):
        rs.load_optimizer(opt, state, "the optimiser")
    assert torch.equal(opt.state_dict()["state"][0]["exp_avg"], before)
