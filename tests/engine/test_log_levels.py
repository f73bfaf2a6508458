"""The engine's INFO lines (order and reconcile JSON events) are written: stderr and the run's log file."""
import json
import logging

from engine.app import hydra_command


def test_scalp_info_lines_reach_the_log_and_library_info_does_not(tmp_path, capsys):
    event = {"event": "order_created", "identifier": "scalp-7-abc-1", "uuid": "u-1"}

    def job(cfg) -> int:
        logging.getLogger("scalp.live").info(json.dumps(event))
        logging.getLogger("scalp.live").debug("not at INFO")
        logging.getLogger("httpx").info("HTTP Request: GET https://example.invalid")
        print("result line")
        return 0

    rc = hydra_command("probe", [f"hydra.run.dir={tmp_path}", "ui.lang=en"], job)
    out = capsys.readouterr()
    assert rc == 0
    assert out.out.strip() == "result line"                      # stdout holds results only
    logged = (tmp_path / "probe.log").read_text()
    for text in (logged, out.err):
        lines = [line for line in text.splitlines() if "[scalp.live][INFO]" in line]
        assert len(lines) == 1, text
        assert json.loads(lines[0].split(" - ", 1)[1]) == event
        assert "HTTP Request" not in text and "not at INFO" not in text
