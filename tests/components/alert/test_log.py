"""Log alerts: one JSON line per alert (file or stderr), level filter."""
import json
from pathlib import Path

from omegaconf import OmegaConf

import components.alert.log  # noqa: F401
import registry


def test_json_lines_to_file(tmp_path):
    path = tmp_path / "alerts" / "a.jsonl"
    alert = registry.build("alert", {"component": "log", "path": str(path), "min_level": "warning"},
                           path="alerts.log")
    assert alert.send("킬 스위치 halt", level="critical", fields={"switch": "max_drawdown"})
    assert not alert.send("fyi", level="info")
    assert alert.send("second", level="warning")
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["message"] for x in lines] == ["킬 스위치 halt", "second"]
    assert lines[0]["level"] == "critical" and lines[0]["switch"] == "max_drawdown" and lines[0]["ts_ms"] > 0


def test_stderr_by_default(capsys):
    conf = Path(__file__).resolve().parents[3] / "conf" / "alerts" / "log.yaml"
    node = OmegaConf.to_container(OmegaConf.load(conf))["log"]
    assert registry.build("alert", node, path="alerts.log").send("hello", level="info")
    assert json.loads(capsys.readouterr().err)["message"] == "hello"
