"""The `scalp` CLI core as a user meets it: help, validate's exit codes and exact lines, components."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.i18n import catalog, placeholders, set_lang, t

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    rc = main(list(argv) + (["ui.lang=en"] if argv and argv[0] == "validate" else []))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_help_lists_every_command_one_line_each(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    names = [line.split()[0] for line in lines]
    for cmd in ("validate", "components", "bench"):
        assert cmd in names
    assert all(len(line.split(None, 1)) == 2 for line in lines), "every command needs a help line"


def test_unknown_command_suggests(capsys):
    rc, _, err = run(capsys, "validat")
    assert rc == 2 and "did you mean validate" in err


def test_validate_default_ok(capsys):
    rc, out, _ = run(capsys, "validate", "preset=alts")
    assert rc == 0, out
    assert out.splitlines()[0] == "config OK"
    assert "preset alts" in out


def test_unknown_key_under_group_named(capsys):
    rc, _, out = run(capsys, "validate", "+sizing.no_such_key=1")
    assert rc == 2
    assert any(line.startswith("sizing.no_such_key") for line in out.splitlines()), out
    assert out.rstrip().endswith("problems; nothing was started.")


def test_unknown_preset_lists_options(capsys):
    rc, _, out = run(capsys, "validate", "preset=nope")
    assert rc == 2
    assert out.splitlines()[0] == "preset  no option 'nope'; available: alts, emerging, majors"
    assert out.splitlines()[-1] == "1 problems; nothing was started."


def test_override_of_missing_key_is_a_problem_not_a_traceback(capsys):
    rc, _, out = run(capsys, "validate", "limits.cooldwn_s=5")
    assert rc == 2
    assert out.splitlines()[0].startswith("limits.cooldwn_s  cannot override a missing key")


def test_root_bounds_and_types(capsys):
    rc, _, out = run(capsys, "validate", "limits.max_market_share=1.5", "decision_interval_ms=abc")
    assert rc == 2
    lines = out.splitlines()
    assert any(line.startswith("limits.max_market_share  Input should be less than or equal to 1") for line in lines)
    assert any(line.startswith("decision_interval_ms  Input should be a valid integer") for line in lines)
    assert lines[-1] == "2 problems; nothing was started."


def test_bad_market_code(capsys):
    rc, _, out = run(capsys, "validate", "markets=[BTC]")
    assert rc == 2 and "markets  'BTC' is not an Upbit market code like KRW-BTC" in out


def test_live_refuses_literal_secret_and_never_prints_it(capsys, monkeypatch):
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "ak")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "sk")
    secret = "LITERALSECRET12345678901234567890"
    rc, out, err = run(capsys, "validate", "mode=live", f"+run.secret_key={secret}")
    assert rc == 2
    assert secret not in out + err
    assert "run.secret_key  secrets come only from the environment" in err


def test_live_refuses_empty_killswitch_set(capsys, monkeypatch):
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "ak")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "sk")
    rc, _, out = run(capsys, "validate", "mode=live", "killswitches=[]")
    assert rc == 2
    assert any(line.startswith("killswitches  live mode needs at least the standard kill switches")
               for line in out.splitlines())


def test_live_refused_under_multirun(capsys, monkeypatch):
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "ak")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "sk")
    rc, _, out = run(capsys, "validate", "-m", "mode=live", "seed=1,2")
    assert rc == 2 and "mode  live mode cannot run under multirun (-m)" in out


def test_components_json_is_kind_name_schema(capsys):
    rc, out, _ = run(capsys, "components", "--json")
    assert rc == 0
    data = json.loads(out)
    import registry
    assert set(data) == set(registry.KINDS)
    for kind, comps in data.items():
        for name, schema in comps.items():
            assert schema.get("type") == "object", (kind, name)


def test_components_unknown_kind(capsys):
    rc, _, out = run(capsys, "components", "sizer")
    assert rc == 2 and "did you mean 'sizing'" in out


def test_catalog_has_every_key_in_both_languages_with_same_placeholders():
    for key, texts in catalog().items():
        assert set(texts) == {"ko", "en"}, key
        assert texts["ko"].strip() and texts["en"].strip(), key
        assert placeholders(texts["ko"]) == placeholders(texts["en"]), key


def test_korean_is_the_default_language():
    out = subprocess.run([sys.executable, "-m", "engine.cli", "validate", "preset=nope"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and out.stdout == ""
    assert "아무것도 시작하지 않았습니다" in out.stderr
    set_lang("en")
    assert t("validate.ok") == "config OK"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_message_formats(lang):
    set_lang(lang)
    for key, texts in catalog().items():
        kw = {name: 1 for name in placeholders(texts[lang])}   # numbers: messages may use format specs
        assert t(key, **kw)


def test_live_accepts_env_var_names_but_not_values(capsys, monkeypatch):
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "ak")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "sk")
    # a live-ready bot (live feed, book features, an untrained-free tower) so only the secrets rule is at stake
    rc, out, _ = run(capsys, "validate", "mode=live", "exchange=upbit", "feed=upbit_ws",
                     "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "entry=prob_threshold")
    assert "secret" not in out, out            # exchange.secret_key_env: UPBIT_SECRET_KEY names a variable
    assert rc == 0, out


def test_root_settings_nodes_are_strict(capsys):
    rc, _, out = run(capsys, "validate", "+orders.bogus=1", "+live.poll=1")
    assert rc == 2
    assert out.splitlines()[0].startswith("orders.bogus  unknown key; known: entry_type")
    assert out.splitlines()[1].startswith("live.poll  unknown key; known: api_window_s")


@pytest.mark.parametrize("override,line", [
    ("sizing=nope", "sizing  no option 'nope'; available: adaptive_kelly, confidence_proportional, fixed_krw"),
    ("exits=[nope]", "exits  no option 'nope'; available: "),
])
def test_unknown_group_option_is_never_silently_dropped(capsys, override, line):
    rc, _, out = run(capsys, "validate", override)
    assert rc == 2 and out.splitlines()[0].startswith(line), out


def test_output_cut_by_a_pipe_is_not_a_traceback():
    # --json is > 100 kB: more than a pipe buffer, so the writer does hit the closed pipe
    proc = subprocess.run(f"{sys.executable} -m engine.cli components --json | head -1", shell=True, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_walkforward_node_is_strict(capsys):
    rc, _, out = run(capsys, "validate", "+walkforward.bogus=1", "walkforward.folds=0")
    assert rc == 2
    lines = out.splitlines()
    assert any(line.startswith("walkforward.bogus  unknown key; known: ") for line in lines)
    assert any(line.startswith("walkforward.folds  Input should be greater than or equal to 1") for line in lines)


def _command_names():
    from engine.cli import commands
    return sorted(commands())


@pytest.mark.parametrize("name", _command_names())
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help(capsys, name, flag):
    rc, out, err = run(capsys, name, flag)
    assert rc == 0 and err == ""
    first = out.splitlines()[0]
    assert first.startswith(f"usage: scalp {name}"), out
    assert "exit codes:" in out and "130" in out


@pytest.mark.parametrize("name", ["backtest", "validate", "paper", "live", "cancel-all", "record", "train",
                                  "walkforward", "components", "report", "exchange-server"])
def test_unknown_flag_is_named_with_the_usage_line(capsys, name):
    rc, out, err = run(capsys, name, "--frobnicate")
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("unknown option --frobnicate"), err
    assert lines[1].startswith(f"usage: scalp {name}")
    assert "Exception" not in err


def test_a_word_that_is_no_override_is_named_not_the_parser_class(capsys):
    rc, out, err = run(capsys, "validate", "majors")
    assert rc == 2 and "'majors' is not an override" in err and "Exception" not in err


def test_close_group_option_is_suggested_on_stderr_only():
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "validate", "preset=major"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "majors" in proc.stderr.splitlines()[0] and "major'" in proc.stderr


def test_market_without_the_needed_data_is_one_line(capsys, shared_data):
    rc, _, err = run(capsys, "validate", "markets=[KRW-ADA]")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 2, err        # the market line + the count line
    assert lines[0].startswith("markets  KRW-ADA: feed 'replay' has no candle data")
    assert "Markets with candle data: KRW-BTC" in lines[0]


def test_backtest_whose_features_never_warm_up_says_so_and_exits_1(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "backtest", "towers=[momentum_rule]",
                           "entry=prob_threshold", "feed.start=2025-09-25T00:00", "feed.end=2025-09-25T00:20",
                           "ui.lang=en", f"store.path={tmp_path / 's.db'}", f"run.out_dir={tmp_path}",
                           f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("the features never warmed up: 0 decisions")


def test_multirun_prints_a_header_per_job(capsys):
    rc, out, _ = run(capsys, "validate", "-m", "seed=1,2")
    assert rc == 0
    headers = [ln for ln in out.splitlines() if ln.startswith("── job ")]
    assert len(headers) == 2 and "seed=1" in headers[0] and "seed=2" in headers[1]
    assert out.count("config OK") == 2
