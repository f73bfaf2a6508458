"""Signature helpers shared by every trained tower: stable hash, readable diffs, save/load."""
import pytest

from components.types.signature import (SignatureMismatch, compare_signatures, load_model, make_signature,
                                        params_hash, save_model)


def test_hash_ignores_runtime_keys_and_key_order():
    assert params_hash({"depth": 6, "lr": 0.1, "thread_count": 1}) == params_hash({"lr": 0.1, "depth": 6, "thread_count": 8})
    assert params_hash({"depth": 6}) != params_hash({"depth": 7})


def test_compare_names_missing_extra_and_order():
    a = make_signature("x", {"d": 1}, ["a", "b", "c"], (0, 1), "lab")
    assert compare_signatures(a, a) == []
    b = make_signature("x", {"d": 1}, ["a", "c", "b"], (0, 1), "lab")
    assert "different order" in compare_signatures(a, b)[0]
    c = make_signature("x", {"d": 2}, ["a", "b", "z"], (0, 1), "lab")
    lines = compare_signatures(a, c)
    assert any("params_hash" in ln for ln in lines) and any("'c'" in ln and "'z'" in ln for ln in lines)
    err = SignatureMismatch(a, c, "towers.x")
    assert "config expects" in str(err) and "model has" in str(err) and "towers.x" in str(err)


def test_save_load_round_trip(tmp_path):
    sig = make_signature("x", {"d": 1}, ["a"], (5, 9), "lab", ("numpy",))
    save_model(tmp_path / "m", sig, {"w": [1, 2]})
    back, state = load_model(tmp_path / "m")
    assert back == sig and state == {"w": [1, 2]}
    with pytest.raises(FileNotFoundError, match="signature.json"):
        load_model(tmp_path / "none")
