"""Running unattended: the systemd unit and the container recipe start a real, valid `scalp` command, restart on
failure, stop with SIGTERM, reload with SIGHUP, and inline no secret."""
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UNIT = ROOT / "examples/systemd/scalp-paper.service"
DOCKERFILE = ROOT / "examples/docker/Dockerfile"
BASELINE = ["towers=[momentum_rule]", "entry=prob_threshold"]       # what /etc/scalp/paper.env would give
SECRET = re.compile(r"\b(UPBIT_ACCESS_KEY|UPBIT_SECRET_KEY|SCALP_PG_URL|\w*PASSWORD|\w*TOKEN|\w*SECRET\w*|\w*API_KEY)"
                    r"\s*[=:]\s*[^\s$]|postgres\w*(\+\w+)?://[^@\s/]*:[^@\s/]*@", re.I)


def inlined(line: str) -> bool:
    """A secret-looking name given a literal value, or a database URL with a password."""
    return not line.lstrip().startswith("#") and bool(SECRET.search(line))


def unit() -> dict[str, list[str]]:
    """key -> values of the unit (comments dropped; keys may repeat)."""
    out: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def _help_answers(command: str) -> None:
    run = subprocess.run([sys.executable, "-m", "engine.cli", command, "--help"], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0 and f"scalp {command}" in run.stdout, run.stderr


def _valid(command: str, overrides: list[str]) -> None:
    """The overrides compose and validate as `scalp <command>` would check them before starting."""
    from engine.app import precheck
    from engine.live.command import force_mode
    argv, bad = force_mode(overrides, command)
    assert bad is None
    _, problems = precheck(argv, False)
    assert problems == [], problems


def test_unit_runs_a_real_valid_command_and_restarts_on_failure():
    u = unit()
    (start,) = u["ExecStart"]
    argv = shlex.split(start)
    assert Path(argv[0]).name == "scalp" and argv[1] == "paper"
    _help_answers(argv[1])
    overrides = [a for a in argv[2:] if a != "$SCALP_ARGS"]
    assert "$SCALP_ARGS" in argv and all("=" in a for a in overrides)
    _valid("paper", overrides + BASELINE)
    assert u["Restart"] == ["on-failure"] and u["RestartPreventExitStatus"] == ["2"]      # exit 2: config error
    assert u["KillSignal"] == ["SIGTERM"] and u["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    from engine.settings import LiveSettings
    assert int(u["TimeoutStopSec"][0]) > LiveSettings().shutdown_timeout_s
    assert any(v.startswith("/etc/scalp/secrets.env") for v in u["EnvironmentFile"])
    assert any("control.reload_file=" in a for a in overrides)          # the file SIGHUP re-reads


def test_container_recipe_runs_a_real_valid_command():
    text = DOCKERFILE.read_text()
    lines = re.sub(r"\\\n\s*", " ", text).splitlines()
    for line in lines:
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), src
    (entry,) = [json.loads(x.split(None, 1)[1]) for x in lines if x.startswith("ENTRYPOINT ")]
    (cmd,) = [json.loads(x.split(None, 1)[1]) for x in lines if x.startswith("CMD ")]
    assert entry == ["scalp"] and cmd[0] == "paper"
    _help_answers(cmd[0])
    _valid("paper", cmd[1:])


def test_the_secret_check_sees_inlined_secrets():
    for line in ("Environment=UPBIT_SECRET_KEY=abc", "ENV SCALP_PG_URL=postgresql://u:p@h/db",
                 'Environment="TELEGRAM_BOT_TOKEN=123:abc"', "ExecStart=/x/scalp paper store=postgres "
                 "x=postgresql+psycopg://scalp:pw@127.0.0.1/db"):
        assert inlined(line), line
    for line in ("EnvironmentFile=/etc/scalp/secrets.env", "# UPBIT_ACCESS_KEY / UPBIT_SECRET_KEY (live)",
                 "ENV SCALP_CONF_DIR=/opt/scalp/conf"):
        assert not inlined(line), line


@pytest.mark.parametrize("path", [UNIT, DOCKERFILE], ids=lambda p: p.name)
def test_no_secret_is_inlined(path):
    bad = [f"{path.name}:{n}: {line}" for n, line in enumerate(path.read_text().splitlines(), 1) if inlined(line)]
    assert bad == []


def test_systemd_accepts_the_unit(tmp_path):
    import shutil
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze not installed")
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text())
    run = subprocess.run([exe, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    complaints = [x for x in (run.stdout + run.stderr).splitlines()
                  if x.strip() and "is not executable" not in x]   # /opt/scalp is not installed on this machine
    assert complaints == []
