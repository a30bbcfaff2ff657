"""Checkpoints: safetensors + JSON round trip, and clear errors for missing, corrupt or mismatched files."""
import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from gan_core.cgan import checkpoint
from gan_core.cgan.checkpoint import CheckpointCorrupt, CheckpointMismatch, CheckpointMissing
from gan_core.cgan.judge import Judge
from gan_core.cgan.models import Generator


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    generator = Generator(latent_dim=6, width=8).eval()  # eval: batch norm uses its running statistics
    path = checkpoint.save_generator(generator, {"seed": 5, "steps": 1}, tmp_path / "g.safetensors")
    return generator, path


def test_generator_round_trip_keeps_outputs_and_metadata(saved):
    generator, path = saved
    loaded, meta = checkpoint.load_generator(path)
    z, y = torch.randn(4, 6), torch.tensor([1, 2, 3, 4])
    assert torch.equal(loaded(z, y), generator(z, y).detach())
    arch = meta["architecture"]
    assert (arch["name"], arch["latent_dim"], arch["width"], arch["batch_norm"]) == ("DCGANGenerator", 6, 8, True)
    assert [r["shape"] for r in arch["layers"]][-1] == [1, 28, 28]
    assert meta["prior"]["name"] == "normal" and meta["seed"] == 5
    assert not any(p.requires_grad for p in loaded.parameters())


def test_judge_round_trip(tmp_path):
    judge = Judge(feature_dim=12)
    path = checkpoint.save_judge(judge, {"held_out_accuracy": 0.5}, tmp_path / "j.safetensors")
    loaded, meta = checkpoint.load_judge(path)
    x = torch.rand(3, 28, 28)
    assert torch.equal(loaded(x), judge(x).detach()) and meta["held_out_accuracy"] == 0.5
    with pytest.raises(CheckpointMismatch, match="judge_classifier"):
        checkpoint.load_generator(path)


def test_missing_weights_or_metadata(saved, tmp_path):
    _, path = saved
    with pytest.raises(CheckpointMissing, match="does not exist"):
        checkpoint.load_generator(tmp_path / "nope.safetensors")
    checkpoint.metadata_path(path).unlink()
    with pytest.raises(CheckpointMissing, match="metadata"):
        checkpoint.load_generator(path)


def test_corrupt_files(saved):
    _, path = saved
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointCorrupt, match="not a readable safetensors"):
        checkpoint.load_generator(path)
    path.write_bytes(b"definitely not safetensors")
    with pytest.raises(CheckpointCorrupt):
        checkpoint.load_generator(path)
    path.write_bytes(good)
    checkpoint.metadata_path(path).write_text("{ not json")
    with pytest.raises(CheckpointCorrupt, match="not valid JSON"):
        checkpoint.load_generator(path)


def _edit_meta(path, **changes):
    meta_file = checkpoint.metadata_path(path)
    meta = json.loads(meta_file.read_text())
    for key, value in changes.items():
        meta["architecture"][key] = value
    meta_file.write_text(json.dumps(meta))


def test_config_that_does_not_match_the_tensors(saved):
    _, path = saved
    _edit_meta(path, width=16)
    with pytest.raises(CheckpointMismatch, match="shape"):
        checkpoint.load_generator(path)
    _edit_meta(path, width=8, latent_dim="six")
    with pytest.raises(CheckpointCorrupt, match="latent_dim"):
        checkpoint.load_generator(path)


def test_missing_or_extra_tensors_and_nan_values(saved):
    _, path = saved
    tensors = load_file(str(path))
    dropped = dict(tensors)
    dropped.pop("up1.weight")
    save_file(dropped, str(path))
    with pytest.raises(CheckpointMismatch, match="missing tensors.*up1.weight"):
        checkpoint.load_generator(path)
    save_file({**tensors, "extra": torch.zeros(1)}, str(path))
    with pytest.raises(CheckpointMismatch, match="unexpected tensors.*extra"):
        checkpoint.load_generator(path)
    poisoned = dict(tensors)
    poisoned["up2.bias"] = torch.full_like(tensors["up2.bias"], float("nan"))
    save_file(poisoned, str(path))
    with pytest.raises(CheckpointCorrupt, match="NaN"):
        checkpoint.load_generator(path)


def test_errors_share_one_base_class_with_a_readable_message(tmp_path):
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.load_generator(tmp_path / "x.safetensors")
    assert "x.safetensors" in str(info.value)


def test_round_trip_without_batch_norm(tmp_path):
    generator = Generator(latent_dim=4, width=4, batch_norm=False).eval()
    path = checkpoint.save_generator(generator, {}, tmp_path / "plain.safetensors")
    loaded, meta = checkpoint.load_generator(path)
    assert meta["architecture"]["batch_norm"] is False and not loaded.batch_norm
    z, y = torch.randn(3, 4), torch.tensor([0, 5, 9])
    assert torch.equal(loaded(z, y), generator(z, y).detach())
    _edit_meta(path, batch_norm=True)  # the JSON now promises norm layers the file does not hold
    with pytest.raises(CheckpointMismatch, match="missing tensors"):
        checkpoint.load_generator(path)
    _edit_meta(path, batch_norm="yes")
    with pytest.raises(CheckpointCorrupt, match="batch_norm"):
        checkpoint.load_generator(path)


def test_an_earlier_architecture_is_refused_with_a_way_out(tmp_path):
    # what the earlier app wrote: architecture "Generator" (hinge-trained, up1/up2/to_image layers)
    path = tmp_path / "old.safetensors"
    save_file({"project.weight": torch.zeros(3136, 26), "to_image.weight": torch.zeros(1, 16, 3, 3)}, str(path),
              metadata={"kind": "cgan_generator", "format_version": "1"})
    checkpoint.metadata_path(path).write_text(json.dumps({
        "kind": "cgan_generator", "format_version": 1, "prior": {"name": "normal"},
        "architecture": {"name": "Generator", "latent_dim": 16, "width": 32, "num_classes": 10}}))
    with pytest.raises(CheckpointMismatch, match="earlier version.*cgan-train"):
        checkpoint.load_generator(path)
