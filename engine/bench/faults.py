"""`scalp bench faults [--json] [--faults N] [--seed S] [--duration-s S] [--bots K]`: live bots (`scalp live`
processes) trade three markets on the local exchange server (a process, real captures replayed at 20x) through the
fault proxy, while the suite kills -9 and restarts the server and the bots; at the end faults are turned off, each
bot runs once more and stops, and the figures come from the exchange's own records and the bots' stores."""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from engine.bench._faults_audit import audit_bot, repeat_sells
from engine.bench._workloads import ROOT, shared_data
from engine.server.fault_proxy import FaultProxy, FaultRule, ProxyConfig

MARKETS = ["KRW-DAWN", "KRW-STX", "KRW-ADA"]
SCALP = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())"]
# Per-request fault rates (first matching rule): reset_before / drop_after = connection dropped before / after the
# server processed the request, hang_before = submit timeout, hang_after = hang after create, error_5xx(_after),
# storm_429 (every request for storm_s), teapot_418, malformed_2xx. Creates get the outcome-hiding ones most often.
RULES = [
    FaultRule("POST", "/v1/orders", {"reset_before": .04, "hang_before": .02, "error_5xx": .06, "teapot_418": .03,
                                     "drop_after": .08, "hang_after": .03, "error_5xx_after": .06,
                                     "malformed_2xx": .08}),
    FaultRule("DELETE", "/v1/order", {"reset_before": .04, "error_5xx": .08, "drop_after": .08, "malformed_2xx": .08}),
    FaultRule("", "", {"reset_before": .04, "hang_before": .003, "error_5xx": .08, "storm_429": .02,
                       "teapot_418": .02, "drop_after": .05, "hang_after": .003, "error_5xx_after": .03,
                       "malformed_2xx": .06}),
]


def capture_file() -> Path:
    for p in (shared_data() / "upbit/ws_captures/UPBIT-d78752.0",
              ROOT / "examples/data/upbit/ws_captures/UPBIT-d78752.0.gz"):
        if p.exists():
            return p
    raise FileNotFoundError("no Upbit capture to replay (SCALP_SHARED_DATA/upbit/ws_captures/UPBIT-d78752.0)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keys(i: int) -> tuple[str, str]:
    return f"faults-bot{i}-access", f"faults-bot{i}-secret-0123456789abcdef0123456789"


class Suite:
    """The processes of one run and what happened to them (`events`), under a work folder."""

    def __init__(self, a: argparse.Namespace, work: Path) -> None:
        self.a, self.work = a, work
        self.rng = random.Random(a.seed)
        self.port = free_port()
        self.state_path = work / "exchange-state.pkl"
        self.events: Counter = Counter()
        self.exit_codes: Counter = Counter()
        self.server: subprocess.Popen | None = None
        self.starts = Counter()
        self.bots: list[subprocess.Popen] = []          # every bot started, so that none outlives the run
        self.proxy = FaultProxy(ProxyConfig(upstream_port=self.port, rules=RULES, ws_drop_mean_s=a.ws_drop_mean_s,
                                            hang_s=2.5, storm_s=3.0, cover_first=True,
                                            seed=a.seed))
        accounts = [{"access_key": keys(i)[0], "secret_key": keys(i)[1], "balances": {"KRW": 10_000_000}}
                    for i in range(a.bots)]
        (work / "server.json").write_text(json.dumps({"accounts": accounts}))

    # ---- processes -----------------------------------------------------------------------------
    def _log(self, name: str) -> tuple:
        self.starts[name] += 1
        n = self.starts[name]
        return open(self.work / f"{name}-{n}.out", "w"), open(self.work / f"{name}-{n}.err", "w")

    def start_server(self) -> None:
        out, err = self._log("server")
        argv = [sys.executable, "-m", "engine.bench._faults_server", str(self.state_path), "--config",
                str(self.work / "server.json"), f"port={self.port}", "source.kind=capture",
                f"source.path={capture_file()}", f"source.speed={self.a.speed}", "source.loop=true"]
        self.server = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, env=self._env())
        import httpx
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/v1/market/all", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.server.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"exchange server did not start (see {err.name})")

    def stop_server(self, hard: bool) -> None:
        if self.server is None:
            return
        self.server.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        try:
            self.server.wait(15)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None

    def _env(self, i: int | None = None) -> dict:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        if i is not None:
            env["UPBIT_ACCESS_KEY"], env["UPBIT_SECRET_KEY"] = keys(i)
        return env

    def bot_args(self, i: int) -> list[str]:
        p = self.proxy
        limit_entries = i % 2 == 0     # even bots rest limit entries (open orders at kill time), odd ones exit by limit
        return ["ui.lang=en", "feed=upbit_ws", f"feed.url={p.ws_url}", f"feed.rest_url={p.base_url}", "exchange=upbit",
                f"exchange.base_url={p.base_url}", "exchange.timeout_ms=2000", f"markets=[{','.join(MARKETS)}]",
                "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "entry=prob_threshold",
                "towers.random_entry.entry_rate=0.5", f"towers.random_entry.seed={self.a.seed + i}",
                "fill_model=queue_conservative", f"store.path={self.work / f'bot{i}.db'}",
                f"hydra.run.dir={self.work / f'hydra{i}'}",
                f"orders.entry_type={'limit' if limit_entries else 'market'}",
                f"orders.exit_type={'market' if limit_entries else 'limit'}", "orders.ttl_ms=30000",
                "exits.time_stop.after_s=20", "limits.cooldown_s=5", "live.poll_interval_s=0.2",
                # fills arrive by the private stream AND by polls as often as without it: both paths meet the
                # faults, and a trade the two deliver is still booked once (double_booked_fills)
                "live.stream_poll_s=0.2",
                # a watchful bot: open orders twice a second, balances every 2 s (more calls meet more faults)
                "live.watchdog_interval_s=0.5", "live.reconcile_interval_s=2",
                "live.shutdown_timeout_s=10", "feed.backoff_min_s=0.2", "feed.backoff_max_s=2",
                # the live maximum; a 5 s pause keeps the bots trading between error bursts
                "killswitches.api_error_rate.max_rate=0.5", "killswitches.api_error_rate.seconds=5",
                # random-entry test bots have no walk-forward or paper record: the go-live gates are off on purpose
                "live.gates.enabled=false"]

    def start_bot(self, i: int) -> subprocess.Popen:
        out, err = self._log(f"bot{i}")
        proc = subprocess.Popen([*SCALP, "live", *self.bot_args(i)], cwd=ROOT, stdout=out, stderr=err,
                                env=self._env(i))
        self.bots.append(proc)
        return proc

    def end_bot(self, proc: subprocess.Popen, grace_s: float = 60.0) -> int:
        """SIGTERM and wait for the orderly stop; kill -9 when it does not come within `grace_s`."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.events["bot_stop_timeout"] += 1
                proc.kill()
                proc.wait()
        self.exit_codes[str(proc.returncode)] += 1
        return proc.returncode

    # ---- the run -----------------------------------------------------------------------------------
    def injected(self) -> int:
        return self.proxy.total() + self.events["server_kill9"] + self.events["bot_kill9"]

    def is_up(self, i: int) -> bool:
        """The bot printed its start line (imports, config and checks are behind it; it may trade now)."""
        f = self.work / f"bot{i}-{self.starts[f'bot{i}']}.out"
        return f.exists() and f.stat().st_size > 0

    def chaos(self) -> None:
        """Bots run sessions of random length (counted from their start line) ending in kill -9 or SIGTERM; the
        server is killed and restarted on its own schedule."""
        a, rng = self.a, self.rng
        t0 = time.monotonic()
        bots = {i: [self.start_bot(i), t0, None] for i in range(a.bots)}       # process, started, session end
        # the first server kill comes early, so that a short run has one too
        server_kill_at, server_back_at = t0 + rng.uniform(*a.server_every_s) / 2, None
        first_end = True
        while self.injected() < a.faults and time.monotonic() - t0 < a.duration_s:
            now = time.monotonic()
            for i, (proc, started, end_at) in list(bots.items()):
                if proc.poll() is not None:           # it stopped on its own (feed silent, exchange failure)
                    self.exit_codes[str(proc.returncode)] += 1
                    self.events["bot_exited_itself"] += 1
                elif end_at is None:
                    if self.is_up(i):
                        bots[i][2] = now + rng.uniform(*a.session_s)
                    elif now - started > a.start_timeout_s:
                        self.events["bot_start_timeout"] += 1
                        proc.kill()
                        proc.wait()
                    else:
                        continue
                    if proc.poll() is None:
                        continue
                elif now >= end_at:
                    if first_end or rng.random() < a.kill_share:     # the first session always ends by kill -9
                        first_end = False
                        proc.kill()
                        proc.wait()
                        self.events["bot_kill9"] += 1
                    else:
                        self.events["bot_sigterm"] += 1
                        self.end_bot(proc)
                else:
                    continue
                self.events["bot_restart"] += 1
                bots[i] = [self.start_bot(i), time.monotonic(), None]
            if server_back_at is None and now >= server_kill_at:
                self.stop_server(hard=True)
                self.events["server_kill9"] += 1
                server_back_at = now + rng.uniform(1.0, 3.0)
            elif server_back_at is not None and now >= server_back_at:
                self.start_server()
                self.events["server_restart"] += 1
                server_back_at, server_kill_at = None, time.monotonic() + rng.uniform(*a.server_every_s)
            time.sleep(0.2)
        if self.server is None:
            self.start_server()
            self.events["server_restart"] += 1
        for proc, _, _ in bots.values():
            if proc.poll() is None:
                self.events["bot_sigterm"] += 1
            self.end_bot(proc)

    def finale(self) -> dict:
        """Faults off; every bot restarts once (it must resume what the chaos left), runs, and stops cleanly."""
        self.proxy.paused = True
        procs = [self.start_bot(i) for i in range(self.a.bots)]
        deadline = time.monotonic() + self.a.start_timeout_s
        while not all(self.is_up(i) or p.poll() is not None for i, p in enumerate(procs)) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(self.a.final_s)
        codes = [self.end_bot(p) for p in procs]
        rec = []
        if (ROOT / "engine" / "commands" / "reconcile.py").exists():
            for i in range(self.a.bots):
                out, err = self._log(f"reconcile{i}")
                try:
                    rec.append(subprocess.run([*SCALP, "reconcile", *self.bot_args(i)], cwd=ROOT, stdout=out,
                                              stderr=err, env=self._env(i), timeout=120).returncode)
                except subprocess.TimeoutExpired:
                    rec.append("timeout")
        return {"final_exit_codes": codes, "reconcile_exit_codes": rec or None}

    def tracebacks(self) -> dict:
        out = {}
        for f in sorted(self.work.glob("*.err")):
            n = f.read_text(errors="replace").count("Traceback")
            if n:
                out[f.name] = n
        return out


def run(a: argparse.Namespace, work: Path) -> dict:
    from engine.bench._faults_server import load
    s = Suite(a, work)
    t0 = time.monotonic()
    s.proxy.start()
    try:
        s.start_server()
        s.chaos()
        final = s.finale()
        s.stop_server(hard=False)
    finally:
        for proc in s.bots:                   # an interrupted run: no bot outlives it
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        s.proxy.stop()
        s.stop_server(hard=True)
    state = load(s.state_path)
    px = s.proxy.snapshot()
    bots = [audit_bot(state["accounts"][keys(i)[0]].ex, work / f"bot{i}.db") for i in range(a.bots)]
    injected = {**px["injected"], **{k: s.events[k] for k in ("server_kill9", "bot_kill9")}}
    tb = s.tracebacks()
    sells = repeat_sells(px["order_replies"])
    dup_entries = sum(b["duplicate_entries"] for b in bots)
    return {
        "faults_injected": {"total": sum(injected.values()), "by_type": dict(sorted(injected.items()))},
        "zombies": sum(b["zombies"] for b in bots),
        "duplicates": dup_entries + sells, "duplicate_entries": dup_entries, "repeat_sells": sells,
        "lost_fills": sum(b["lost_fills"] for b in bots),
        "double_booked_fills": sum(b["double_booked_fills"] for b in bots),
        "balance_mismatches": sum(b["balance_mismatches"] for b in bots),
        "server_418": int(px["upstream_status"].get("418", 0)),
        "tracebacks": sum(tb.values()), "traceback_files": tb,
        "orders_on_exchange": sum(b["orders_on_exchange"] for b in bots),
        "trades_on_exchange": sum(b["trades_on_exchange"] for b in bots),
        "lifecycle": {**{k: s.events[k] for k in ("bot_restart", "bot_sigterm", "bot_exited_itself",
                                                  "bot_stop_timeout", "bot_start_timeout", "server_restart")},
                      "bot_exit_codes": dict(sorted(s.exit_codes.items())), **final},
        "bots": bots, "proxy": {"upstream_status": px["upstream_status"], "order_replies": px["order_replies"]},
        "settings": {"faults": a.faults, "seed": a.seed, "bots": a.bots, "speed": a.speed, "markets": MARKETS,
                     "duration_s_cap": a.duration_s},
        "wall_s": round(time.monotonic() - t0, 1), "work_dir": str(work) if a.keep else None,
    }


# --quick: every fault type still comes at least once (the proxy's first draws cover them), in about a minute
QUICK = ["--faults", "400", "--duration-s", "40", "--bots", "1", "--final-s", "3", "--session-s", "8,12",
         "--server-every-s", "10,14", "--seed", "5"]


def _span(text: str) -> tuple[float, float] | None:
    """"MIN,MAX" seconds (or one number for both); None when it is not that."""
    lo, _, hi = text.partition(",")
    try:
        span = (float(lo), float(hi or lo))
    except ValueError:
        return None
    return span if 0 < span[0] <= span[1] else None


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="scalp bench faults", description=__doc__.split(":", 1)[1].strip())
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--faults", type=int, default=1000, help="inject at least this many faults (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the proxy's draws and the kill schedule")
    ap.add_argument("--duration-s", type=float, default=900.0, help="stop injecting after this long anyway")
    ap.add_argument("--bots", type=int, default=2, help="bots trading at once, one account each (default 2)")
    ap.add_argument("--speed", type=float, default=20.0, help="replay speed of the exchange server (default 20)")
    ap.add_argument("--final-s", type=float, default=12.0, help="length of the last, fault-free session")
    ap.add_argument("--session-s", default="20,45", help="bot session length, min,max seconds after its start line")
    ap.add_argument("--server-every-s", default="15,30", help="seconds between server kills, min,max")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, stores, exchange state)")
    ap.add_argument("--quick", action="store_true", help="the CI size: one bot, about 40 s of faults (" +
                    " ".join(QUICK) + ")")
    a = ap.parse_args(QUICK + argv if "--quick" in argv else argv)
    a.start_timeout_s = 90.0
    for flag in ("session_s", "server_every_s"):
        span = _span(getattr(a, flag))
        if span is None:
            ap.error(f"--{flag.replace('_', '-')}: want MIN,MAX seconds with 0 < MIN <= MAX, got {getattr(a, flag)!r}")
        setattr(a, flag, span)
    a.kill_share, a.ws_drop_mean_s = 0.6, 1.0
    return a


def main(argv: list[str]) -> int:
    from engine import exit_codes
    from engine.i18n import t
    a = parse(argv)
    work = Path(tempfile.mkdtemp(prefix="scalp-faults-"))
    try:
        out = run(a, work)
    except FileNotFoundError as exc:
        print(t("bench.faults.failed", detail=str(exc), work=work), file=sys.stderr)
        return exit_codes.DATA
    except RuntimeError as exc:
        print(t("bench.faults.failed", detail=str(exc), work=work), file=sys.stderr)
        return exit_codes.CHECK_FAILED
    finally:
        if not a.keep:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print(t("bench.faults.summary", total=out["faults_injected"]["total"], zombies=out["zombies"],
                duplicates=out["duplicates"], lost=out["lost_fills"], mismatches=out["balance_mismatches"],
                s418=out["server_418"], tracebacks=out["tracebacks"], wall=out["wall_s"]))
    problems = [t("bench.faults.nonzero", figure=k, n=out[k])
                for k in ("zombies", "duplicates", "lost_fills", "balance_mismatches", "server_418", "tracebacks")
                if out[k]]
    if out["faults_injected"]["total"] < a.faults:
        problems.append(t("bench.faults.short", n=out["faults_injected"]["total"], want=a.faults,
                          seconds=a.duration_s))
    if not out["orders_on_exchange"]:         # the bots never traded: the figures would measure nothing
        problems.append(t("bench.faults.no_orders"))
    for line in problems:
        print(line, file=sys.stderr)
    return exit_codes.CHECK_FAILED if problems else exit_codes.OK
