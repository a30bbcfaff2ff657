"""`python -m gan_core cgan-train | cgan-sample | cgan-eval`."""
import json

import numpy as np
import pytest
import torch

from gan_core.__main__ import main
from gan_core.cgan import checkpoint


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_sample_writes_float32_digits_in_mnist_polarity_deterministically(tmp_path, capsys):
    out = tmp_path / "sevens.npy"
    assert main(["cgan-sample", "--digit", "7", "--n", "5", "--seed", "3", "--out", str(out), "--json"]) == 0
    summary = last_json(capsys)
    assert summary["shape"] == [5, 28, 28] and summary["dtype"] == "float32"
    images = np.load(out)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and np.median(images) < 0.1
    again = tmp_path / "again.npy"
    main(["cgan-sample", "--digit", "7", "--n", "5", "--seed", "3", "--out", str(again)])
    assert np.array_equal(images, np.load(again))


def test_sample_reports_bad_input_and_bad_checkpoints(tmp_path, capsys):
    assert main(["cgan-sample", "--digit", "12", "--n", "5", "--out", str(tmp_path / "x.npy"), "--json"]) == 2
    assert "digit" in last_json(capsys)["errors"][0]
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage")
    code = main(["cgan-sample", "--digit", "1", "--n", "2", "--checkpoint", str(bad), "--out", str(tmp_path / "x.npy"), "--json"])
    assert code == 2 and "metadata" in last_json(capsys)["errors"][0]


def test_train_then_eval_round_trip(tmp_path, capsys):
    out = tmp_path / "tiny.safetensors"
    code = main(["cgan-train", "--steps", "3", "--seed", "1", "--eval-samples", "4", "--curve-samples", "4",
                 "--eval-every", "1000",
                 "--out", str(out), "--json"])
    assert code == 0
    summary = last_json(capsys)
    assert summary["ok"] and summary["steps"] == 3
    meta = json.loads(checkpoint.metadata_path(out).read_text())
    assert meta["seed"] == 1 and meta["steps"] == 3 and meta["command"].startswith("python -m gan_core cgan-train")
    assert meta["architecture"]["latent_dim"] == meta["config"]["latent_dim"]
    assert meta["quality"]["samples_per_class"] == 4 and meta["accuracy_vs_time"][0]["steps"] == 0
    generator, _ = checkpoint.load_generator(out)
    assert main(["cgan-eval", "--checkpoint", str(out), "--n-per-class", "3"]) == 0
    result = last_json(capsys)
    assert 0.0 <= result["conditional_accuracy"] <= 1.0 and result["samples_per_class"] == 3


def test_train_rejects_bad_settings(tmp_path, capsys):
    assert main(["cgan-train", "--steps", "2", "--lr-g", "5", "--out", str(tmp_path / "x.safetensors"), "--json"]) == 2
    errors = last_json(capsys)["errors"]
    assert list(errors) == ["lr_g"] and "between 1e-05 and 0.01" in errors["lr_g"]


def test_train_passes_the_diversity_settings_through(tmp_path, capsys):
    out = tmp_path / "plain.safetensors"
    code = main(["cgan-train", "--steps", "2", "--eval-samples", "2", "--curve-samples", "2", "--eval-every", "1000",
                 "--mode-seeking", "0", "--no-augment-per-digit", "--out", str(out), "--json"])
    assert code == 0
    config = json.loads(checkpoint.metadata_path(out).read_text())["config"]
    assert config["mode_seeking"] == 0.0 and config["augment_per_digit"] is False
    assert main(["cgan-train", "--steps", "2", "--mode-seeking", "-1", "--out", str(tmp_path / "x.safetensors"), "--json"]) == 2
    assert "Mode seeking" in last_json(capsys)["errors"]["mode_seeking"]


def test_judge_training_writes_weights_that_load_and_records_its_command(tmp_path, capsys):
    out = tmp_path / "judge.safetensors"
    assert main(["cgan-judge", "--steps", "1", "--seed", "0", "--out", str(out), "--json"]) == 0
    assert last_json(capsys)["ok"]
    judge, meta = checkpoint.load_judge(out)
    assert meta["steps"] == 1 and meta["command"].startswith("python -m gan_core cgan-judge")
    assert 0.0 <= meta["held_out_accuracy"] <= 1.0
    assert main(["cgan-judge", "--steps", "0", "--out", str(out), "--json"]) == 2
