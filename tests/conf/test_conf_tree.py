"""The config tree: every component has a YAML, every YAML validates, presets x experiments compose."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import registry
from engine.app import compose, conf_dir, job_config
from engine.validate import GROUPS, KIND_GROUP, validate_config

CONF = conf_dir()
ROOT = CONF.parent


def _all_yaml() -> list[Path]:
    return sorted(CONF.rglob("*.yaml"))     # recursive on purpose: subfolders must not be skipped


def _group_files() -> list[tuple[str, str]]:
    return [(p.parent.relative_to(CONF).as_posix(), p.stem) for p in _all_yaml()
            if p.parent.relative_to(CONF).as_posix() in GROUPS]


def test_every_registered_component_has_its_yaml():
    registry.load_all()
    missing = [f"conf/{KIND_GROUP[kind]}/{name}.yaml" for kind in registry.KINDS
               for name in registry.names(kind) if not (CONF / KIND_GROUP[kind] / f"{name}.yaml").exists()]
    assert not missing, "components without a YAML: " + ", ".join(missing)


def test_every_yaml_opens_with_a_comment():
    bad = [str(p.relative_to(ROOT)) for p in _all_yaml()
           if not p.read_text().lstrip().startswith("#")]
    assert not bad, f"YAML files must open with a comment saying how to use/override them: {bad}"


def test_no_target_outside_hydra_folder():
    bad = [str(p.relative_to(ROOT)) for p in _all_yaml()
           if "_target_" in p.read_text() and p.parent.name != "hydra"]
    assert not bad


def test_only_known_groups_under_conf():
    allowed = set(GROUPS) | {"preset", "experiment", "hydra", "tune", "."}      # tune: scalp tune search spaces
    dirs = {p.parent.relative_to(CONF).as_posix() for p in _all_yaml()}
    assert dirs <= allowed, f"unknown config groups: {sorted(dirs - allowed)}"


@pytest.mark.parametrize("group,stem", _group_files(), ids=lambda x: str(x))
def test_each_group_yaml_composes_and_its_nodes_validate(group, stem):
    kind, many = GROUPS[group]
    cfg = job_config(compose([f"{group}=[{stem}]" if many else f"{group}={stem}"]))
    node = cfg.get(group)
    assert node, f"conf/{group}/{stem}.yaml composed to nothing"
    registry.load_all()
    assert registry.validate(kind, node, path=group, many=many) == []


def _presets():
    return sorted(p.stem for p in (CONF / "preset").glob("*.yaml"))


def _experiments():
    return [None] + sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))


def test_presets_exist():
    assert _presets() == ["alts", "emerging", "majors"]


@pytest.mark.parametrize("preset", _presets())
@pytest.mark.parametrize("experiment", _experiments())
def test_every_preset_x_experiment_validates(preset, experiment):
    overrides = [f"preset={preset}"] + ([f"experiment={experiment}"] if experiment else [])
    cfg = job_config(compose(overrides))
    assert validate_config(cfg) == []


def test_multirun_over_presets_in_subprocess():
    out = subprocess.run([sys.executable, "-m", "engine.cli", "validate", "-m", "preset=majors,alts,emerging",
                          "ui.lang=en"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("config OK") == 3
    for p in ("majors", "alts", "emerging"):
        assert f"preset={p}" in out.stdout


def test_hydra_settings():
    data = yaml.safe_load((CONF / "hydra" / "settings.yaml").read_text())
    assert data["job"]["chdir"] is False
    assert data["run"]["dir"].startswith("outputs/")
    assert "outputs/" in (ROOT / ".gitignore").read_text()


@pytest.mark.parametrize("preset,sizing,stop_pct,switch_set_has,max_hold_s", [
    ("majors", "confidence_proportional", 0.8, "balance_watchdog", None),
    ("alts", "adaptive_kelly", 1.2, "balance_watchdog", None),
    ("emerging", "adaptive_kelly", 1.2, "balance_drift", 120),
])
def test_presets_select_the_spec_bundles(preset, sizing, stop_pct, switch_set_has, max_hold_s):
    cfg = job_config(compose([f"preset={preset}"]))
    assert cfg.market_class == preset
    assert cfg.sizing.component == sizing
    assert list(cfg.exits)[0] == "hard_stop" and cfg.exits.hard_stop.loss_pct == stop_pct
    assert switch_set_has in cfg.killswitches
    assert cfg.exits.time_stop.get("max_hold_s") == max_hold_s


def test_command_line_beats_preset():
    cfg = job_config(compose(["preset=alts", "exits.hard_stop.loss_pct=2.0", "sizing=fixed_krw"]))
    assert cfg.exits.hard_stop.loss_pct == 2.0 and cfg.sizing.component == "fixed_krw"
