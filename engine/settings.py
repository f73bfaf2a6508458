"""The engine's own config nodes as strict frozen models: root scalars, orders, live, limits, walkforward, run, ui."""
from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from components.types.orders import MIN_ORDER_KRW
from components.types.upbit.market_state import CautionKey
from engine.conf import plain
from engine.download.settings import DownloadSettings
from engine.i18n import pydantic_text, t

# config group -> (component kind, multi-select?): validated by the registry, not by these models
GROUPS: dict[str, tuple[str, bool]] = {
    "features": ("feature", True), "labels": ("label", True), "towers": ("tower", True),
    "exits": ("exit", True), "killswitches": ("killswitch", True), "alerts": ("alert", True),
    "fusion": ("fusion", False), "entry": ("entry", False), "sizing": ("sizing", False),
    "universe": ("universe", False), "feed": ("feed", False), "exchange": ("exchange", False),
    "fill_model": ("fill_model", False), "store": ("store", False),
    "sizing_limits": ("sizing_limit", True),
}
KIND_GROUP = {kind: group for group, (kind, _) in GROUPS.items()}
MARKET_RE = re.compile(r"(KRW|BTC|USDT)-[A-Z0-9]+")
_ATTACHED = "_scalp_settings"      # where job_start() leaves the parsed settings on the job's config node


class _Strict(BaseModel):
    # inf/nan are refused everywhere: an infinite balance or timeout is always a typo, never a setting
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, allow_inf_nan=False)


class LimitFirstSettings(_Strict):
    """Limit-first entries/exits (root `orders.limit_first`): a limit at the touch, market after a timeout."""
    enabled: bool = Field(False, description="send market-type entries/exits as limits at the touch first")
    entries: bool = Field(True, description="applies to entries")
    exits: bool = Field(True, description="applies to exits")
    offset_ticks: int = Field(0, ge=-20, le=20, description="ticks from the own-side touch towards the other "
                              "side (buy: bid + n ticks; sell: ask - n ticks); never crosses the spread")
    fallback_after_ms: int = Field(2_000, ge=0, description="the unfilled remainder goes at market after this long")


class OrderSettings(_Strict):
    """How intents become orders (root `orders`, engine/order_manager.py)."""
    entry_type: Literal["market", "limit"] = Field("market", description="market (KRW-amount buy) | limit (best bid)")
    exit_type: Literal["market", "limit"] = Field("market", description="market (volume sell) | limit (best ask)")
    ttl_ms: int = Field(30_000, ge=0, description="resting limit orders are cancelled after this long")
    poll_interval_ms: int = Field(0, ge=0, description="0 = check open orders on every event (in-process sim)")
    volume_decimals: int = Field(8, ge=0, le=12)
    min_order_krw: float = Field(MIN_ORDER_KRW, ge=0, description="smaller orders are refused before sending; "
                                 "below Upbit's 5,000 KRW only for replays of other venues' data (live refuses it)")
    reject_backoff_ms: int = Field(1_000, ge=0, description="a refused intent waits this long before the market "
                                   "sends again; doubles per repeated refusal")
    reject_backoff_max_ms: int = Field(60_000, ge=0, description="cap of the doubling refusal backoff")
    resolve_backoff_ms: int = Field(500, ge=1, description="first wait between identifier lookups of an order "
                                    "whose outcome is unknown; doubles per lookup")
    resolve_backoff_max_ms: int = Field(10_000, ge=1, description="cap of the doubling lookup backoff")
    # execution quality (#15 item 5, engine/loop/execute.py): limit-first, slippage cap, realised slippage
    limit_first: LimitFirstSettings = LimitFirstSettings()
    max_slippage_bps: float = Field(0.0, ge=0, le=1000, description="never fill worse than this from the decision "
                                    "price: market orders go as IOC limits at the cap price, the remainder is "
                                    "cancelled and recorded (0 = off)")
    slippage_window_fills: int = Field(50, ge=1, description="fills behind the published slippage_p95_bps")


class GateSettings(_Strict):
    """Go-live gates (root `live.gates`, engine/live/gates.py): the evidence `scalp live` wants in the store."""
    enabled: bool = Field(True, description="false turns every gate off (printed in the summary, stored with the run)")
    min_trades: int = Field(30, ge=1, description="walk-forward test trades at least")
    min_net_pnl_krw: float = Field(0.0, ge=0, description="walk-forward net PnL after costs must exceed this, KRW")
    min_deflated_sharpe: float = Field(0.95, ge=0, le=1, description="walk-forward deflated Sharpe (a probability)")
    max_drawdown_pct: float = Field(20.0, gt=0, le=100, description="worst walk-forward fold drawdown, percent")
    paper_hours: float = Field(24.0, ge=0, description="a paper session of the same signature lasting this long")


class LiveSettings(_Strict):
    """Cadences and limits of a paper/live session, wall-clock seconds (root `live`, engine/live/runner.py)."""
    poll_interval_s: float = Field(0.5, gt=0, description="order/fill polling (GET /v1/order per open order)")
    watchdog_interval_s: float = Field(5.0, gt=0, description="pass over /v1/orders/open (zombies, wall TTL)")
    reconcile_interval_s: float = Field(60.0, gt=0, description="balances vs booked positions")
    flush_interval_s: float = Field(5.0, gt=0, description="store flush cadence (kill -9 loses at most this)")
    shutdown_timeout_s: float = Field(15.0, gt=0, description="how long shutdown waits for confirmed cancels")
    resume_timeout_s: float = Field(60.0, gt=0, description="how long a start retries the exchange to rebuild its state")
    ttl_grace_s: float = Field(10.0, ge=0, description="past TTL + grace with the cancel sent = zombie")
    sweep_on_start: bool = Field(True, description="cancel our own leftovers (identifier prefix scalp-) at start")
    api_window_s: float = Field(60.0, gt=0, description="window of api_calls / api_error_rate")
    call_wait_ms: int = Field(50, ge=0, description="longest the engine thread waits on an order call; the call "
                              "goes on in the background (a create not answered by then is in flight)")
    read_wait_ms: int = Field(250, gt=0, description="longest the engine thread waits on a read (open orders, "
                              "balances, cancels) before counting it failed")
    not_found_after_s: float = Field(5.0, ge=0, description="an unknown create still not found by identifier this "
                                     "long after its request ended was never placed (then rejected)")
    gates: GateSettings = GateSettings()
    # execution quality (#15 item 5): flatten at stop, private order stream, market flags
    on_stop: Literal["keep", "flatten"] = Field("keep", description="keep positions at stop, or sell them at "
                                                "market (within orders.max_slippage_bps) before the cancels")
    private_stream: bool = Field(True, description="live: fills from the private myOrder WebSocket stream, "
                                 "REST polling as the fallback")
    stream_poll_s: float = Field(5.0, gt=0, description="with the private stream up, orders are still polled "
                                 "this often (a safety net; every poll_interval_s while it is down)")
    market_check_s: float = Field(300.0, gt=0, description="live: how often market/all?is_details=true is read "
                                  "for warning-flagged markets (no entries there)")
    refuse_cautions: list[CautionKey] = Field(default_factory=list, description="market_event.caution kinds "
                                              "(주의종목) that also take a market's entries away, e.g. "
                                              "[PRICE_FLUCTUATIONS]; [] = only the warning flag does")


class Limits(_Strict):
    """Engine-enforced entry limits (root `limits`, DESIGN §8)."""
    cooldown_s: float = Field(30, ge=0, description="per market, between trades")
    max_open_positions: int = Field(5, ge=1)
    max_market_share: float = Field(0.30, gt=0, le=1, description="one market's position value / equity")

    @property
    def cooldown_ms(self) -> int:
        return int(self.cooldown_s * 1000)


class WalkForwardParams(_Strict):
    """Fold geometry and trade sizes; costs come from the cost model (root `walkforward`; `scalp walkforward --folds=4 --test-days=1 ...`)."""
    folds: int = Field(4, ge=1, le=50)
    train_days: float | None = Field(None, gt=0, description="rolling training window; None = what fits")
    cal_days: float | None = Field(None, gt=0, description="calibration fold; None = 0.75 x test")
    test_days: float | None = Field(None, gt=0, description="None = span / (folds + 3.5)")
    embargo_ms: int | None = Field(None, ge=0, description="gap between windows; None = label horizon")
    stride_bars: int = Field(2, ge=1, description="a decision every N closed bars per market")
    notional_krw: float = Field(100_000, gt=0, description="fixed size of every simulated trade")
    initial_krw: float = Field(1_000_000, gt=0)
    baseline_draws: int = Field(1000, ge=10)
    min_trades: int = Field(30, ge=1, description="below this many trades Sharpe, p-values and the deflated "
                                                   "Sharpe are not reported (n/a + reason)")
    leak: bool = Field(False, description="append the label as a feature (leakcheck only)")
    boosting_type: Literal["Plain", "Ordered", "config"] = Field(
        "Plain", description="CatBoost boosting in the walk-forward: Plain (default, ~4x faster to train), "
                             "Ordered, or config = towers.catboost.boosting_type")
    engine_loop: bool = Field(True, description="price each fold by replaying the data through the engine "
                                                "loop with the fold's models (the replay scalp backtest runs); "
                                                "false = only the labelled estimate_* columns (leak check)")
    fit_threads: int = Field(2, ge=1, le=64, description="worker processes fitting the towers of every fold at "
                                                        "once (sequence towers on their own; the default backtest "
                                                        "replays meanwhile); 1 = in this process, one by one "
                                                        "(results do not depend on it)")
    seed: int = 42


class MonitorSettings(_Strict):
    """Metrics, health and the live dashboard beside a paper/live session (root `monitor`, engine/monitor/)."""
    enabled: bool = Field(True, description="serve /metrics, /health and the dashboard during paper/live (never backtests)")
    host: str = Field("127.0.0.1", min_length=1, description="address the monitor listens on")
    port: int = Field(9108, ge=0, le=65535, description="0 = pick a free port (printed at start)")
    stale_after_s: float = Field(10.0, gt=0, description="/health is not ready when the feed is silent this long; "
                                 "keep it below feed.stale_after_s, which stops the session")
    publish_interval_s: float = Field(1.0, gt=0, description="how often the engine thread hands the monitor a new state")
    recent_rows: int = Field(50, ge=1, le=1000, description="recent decisions / trips the dashboard keeps")


class Ui(_Strict):
    """People-facing output settings."""
    lang: Literal["ko", "en"] = "ko"


class Run(_Strict):
    """Run naming and where reports/records go."""
    name: str = "run"
    out_dir: str = "outputs"
    duration_s: float = Field(0, ge=0, description="paper/live: stop after this many wall seconds (0 = until signalled)")


ClassName = Literal["majors", "alts", "emerging"]


class ClassSettings(_Strict):
    """Per-market-class models (root `classes`, engine/models/classes.py): markets routed to their class's towers,
    entry threshold and sizing cap. Routing is on only when `markets` names at least one market."""
    markets: dict[str, ClassName] | None = Field(None, description="market -> class; unlisted markets "
                                          "use the root market_class; empty = one model for every market")
    entry: dict[ClassName, dict[str, Any]] | None = Field(None, description="class -> entry parameter "
                                                   "overrides (keys the selected entry lacks are ignored)")
    sizing_cap_pct: dict[ClassName, float] | None = Field(None, description="class -> largest entry, "
                                                   "percent of the KRW balance")
    models: dict[ClassName, dict[str, str]] | None = Field(None, description="class -> tower id -> saved "
                                                    "model folder (scalp train classes.per_class=true prints them)")
    per_class: bool = Field(False, description="scalp train / retrain fit one model per class of the markets")


class RetrainSettings(_Strict):
    """`scalp retrain` (engine/models/retrain.py): promotion margins, models kept, the live swap cadence."""
    min_improvement_krw: float = Field(1000.0, description="candidate's net PnL (test window, after costs) must "
                                       "beat the deployed model's by at least this, KRW")
    min_improvement_dsr: float = Field(0.0, description="... and its deflated Sharpe by at least this (only "
                                       "where both have one)")
    keep: int = Field(5, ge=1, description="models kept per class and config signature (older ones retired, "
                      "their files deleted)")
    out_dir: str = Field("outputs/models", description="where candidate models are saved")
    swap_check_s: float = Field(5.0, gt=0, description="paper/live: how often a session looks for a promoted model")


class ControlSettings(_Strict):
    """Operating a running paper/live session (root `control`, engine/control/): hot reload of the safe subset."""
    reload_file: str | None = Field(None, description="YAML of dotted overrides (safe subset only, "
                                    "engine/control/safe.py) applied to the running session; read on SIGHUP "
                                    "and whenever its mtime changes")
    poll_interval_s: float = Field(1.0, ge=1.0, description="how often the reload file's mtime is checked")


class AlertEvents(_Strict):
    """Which paper/live events become alerts (root `alerting.events`, engine/alerts/)."""
    killswitch: bool = Field(True, description="kill-switch trips and clears")
    fills: bool = Field(False, description="every fill (noisy, off by default)")
    errors: bool = Field(True, description="session failure, store errors, orders the exchange rejected")
    stale_feed: bool = Field(True, description="nothing from the feed for alerting.stale_feed_s, and its return")
    daily_summary: bool = Field(True, description="a PnL summary once a day at alerting.daily_summary_hour_kst")
    session: bool = Field(True, description="session start and stop")
    heartbeat: bool = Field(True, description="the engine thread stopped ticking (logging.heartbeat_s x stall_beats)")
    market_flags: bool = Field(True, description="a market flagged (Upbit warning, unlisted, suspended, delisted): "
                               "no new entries there")


class AlertSettings(_Strict):
    """How paper/live alerts reach the `alerts` channels: events, per-channel rate, retries (root `alerting`)."""
    events: AlertEvents = AlertEvents()
    daily_summary_hour_kst: int = Field(9, ge=0, le=23, description="hour of the daily summary, Asia/Seoul")
    stale_feed_s: float = Field(30.0, gt=0, description="no feed event for this long = stale-feed alert")
    rate_per_min: float = Field(20.0, gt=0, le=600, description="per channel: messages per minute, sustained")
    burst: int = Field(5, ge=1, le=100, description="per channel: messages sent back to back before the rate "
                       "applies; alerts waiting beyond it are coalesced into one message")
    max_batch: int = Field(20, ge=1, le=200, description="alerts coalesced into one message at most")
    queue_size: int = Field(200, ge=1, le=100_000, description="per channel: alerts waiting; more are dropped "
                            "and their count is sent with the next message")
    retries: int = Field(4, ge=0, le=10, description="extra attempts on 429 / 5xx / network errors")
    backoff_s: float = Field(1.0, gt=0, le=60, description="first wait before a retry; doubles per attempt")
    backoff_max_s: float = Field(120.0, gt=0, le=3600, description="cap of that wait and of a 429 Retry-After")
    error_repeat_s: float = Field(300.0, ge=0, description="store errors / rejected orders: at most one alert "
                                  "per kind this often (the count since the last one is in it)")
    drain_s: float = Field(5.0, ge=0, le=60, description="at stop: how long queued alerts may still take")


class LogSettings(_Strict):
    """Job log rotation and the heartbeat (root `logging`; conf/hydra/settings.yaml reads max_bytes/backups)."""
    max_bytes: int = Field(10_000_000, ge=0, description="rotate <run dir>/<command>.log at this size; 0 = never")
    backups: int = Field(5, ge=1, le=100, description="rotated files kept: <command>.log.1 ... .N")
    heartbeat_s: float = Field(60.0, ge=0, description="paper/live: one JSON heartbeat line this often; 0 = none")
    stall_beats: int = Field(3, ge=2, le=100, description="no engine tick for this many heartbeats = stalled "
                             "(logged and alerted once)")


class Settings(_Strict):
    """Every root key of conf/config.yaml that is not a component group, parsed once per job."""
    mode: Literal["backtest", "paper", "live", "replay_live"] = "backtest"
    seed: int = 42
    markets: list[str] = Field(min_length=1)
    market_class: Literal["majors", "alts", "emerging"] = "majors"
    decision_interval_ms: int = Field(1000, ge=1)
    initial_krw: float = Field(1_000_000, ge=MIN_ORDER_KRW, description="starting KRW of the simulated account")
    limits: Limits = Limits()
    orders: OrderSettings = OrderSettings()
    live: LiveSettings = LiveSettings()
    walkforward: WalkForwardParams = WalkForwardParams()
    plugins: list[str] = Field(default_factory=list, description="extra component modules or .py files")
    ui: Ui = Ui()
    run: Run = Run()
    monitor: MonitorSettings = MonitorSettings()
    classes: ClassSettings = ClassSettings()
    retrain: RetrainSettings = RetrainSettings()
    control: ControlSettings = ControlSettings()
    download: DownloadSettings = DownloadSettings()
    alerting: AlertSettings = AlertSettings()
    logging: LogSettings = LogSettings()

    @field_validator("markets")
    @classmethod
    def _upbit_codes(cls, markets: list[str]) -> list[str]:
        bad = [m for m in markets if not MARKET_RE.fullmatch(m)]
        if bad:
            raise PydanticCustomError("market_code", "{market} is not an Upbit market code like KRW-BTC",
                                      {"market": ", ".join(repr(m) for m in bad)})
        twice = sorted({m for m in markets if markets.count(m) > 1})
        if twice:
            raise PydanticCustomError("market_twice", "{market} is listed more than once",
                                      {"market": ", ".join(repr(m) for m in twice)})
        return markets

    @classmethod
    def from_cfg(cls, cfg: Any) -> "Settings":
        """From a composed config (OmegaConf node or plain mapping); component groups and `hydra` are skipped.

        Raises registry.ConfigError listing every problem as (dotted path, message)."""
        from registry import ConfigError
        data, problems = {}, []
        for key in cfg:
            if key in GROUPS or key == "hydra":
                continue
            try:
                data[str(key)] = plain(cfg[key])
            except Exception as e:      # an unresolvable ${...}: name the key, keep checking the others
                problems.append((str(key), t("validate.interpolation", detail=str(e).splitlines()[0])))
        try:
            settings = cls(**data)
        except ValidationError as e:
            problems.extend(problems_of(e))
        if problems:
            raise ConfigError(_without_echoes(cfg, problems))
        return settings


def _without_echoes(cfg: Any, problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A value that only repeats another key (`walkforward.seed: ${seed}`) is reported once, at that key."""
    if hasattr(cfg, "_metadata"):
        from omegaconf import OmegaConf
        cfg = OmegaConf.to_container(cfg, resolve=False)
    paths = {p for p, _ in problems}

    def written(path: str) -> Any:
        node = cfg
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node
    echo = re.compile(r"\$\{([\w.]+)\}")
    return [(p, msg) for p, msg in problems
            if not ((m := echo.fullmatch(str(written(p)))) and m.group(1) in paths and m.group(1) != p)]


# pydantic error type -> message key (engine/messages/settings.py); the English texts are pydantic's own
_OWN_RULES = {"market_code": "settings.market_code", "market_twice": "settings.market_twice"}


def problems_of(err: ValidationError, model: type[BaseModel] = Settings, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, message) per pydantic error of `model`; input values are never shown (may be secrets)."""
    out: list[tuple[str, str]] = []
    for e in err.errors(include_input=False):
        loc = [str(p) for p in e["loc"]]
        path = ".".join(p for p in (prefix, *loc) if p)
        if e["type"] == "extra_forbidden":
            out.append((path, _unknown_key(model, loc, top=not prefix)))
            continue
        # bounds of float fields arrive as 1.0 / 0.0: say 1 / 0 as the YAML would
        ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in (e.get("ctx") or {}).items()}
        key = _OWN_RULES.get(e["type"])
        out.append((path, t(key, **ctx) if key else pydantic_text({**e, "ctx": ctx})))
    return out


def _unknown_key(model: type[BaseModel], loc: list[str], top: bool) -> str:
    """`unknown key; known: ...` inside a node; at the root, close names among settings and groups."""
    owner = model
    for part in loc[:-1]:
        field = owner.model_fields.get(part)
        sub = getattr(field, "annotation", None) if field else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            break
        owner = sub
    if top and owner is model and len(loc) == 1:
        allowed = sorted(set(model.model_fields) | set(GROUPS))
        close = difflib.get_close_matches(loc[-1], allowed, n=2, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        return t("validate.unknown_root_key", hint=hint)
    return t("settings.unknown_key", known=", ".join(sorted(owner.model_fields)))


def job_start(cfg: Any) -> Settings:
    """Parse a job's settings once and keep them on its config node, where `settings_of` finds them."""
    settings = Settings.from_cfg(cfg)
    if hasattr(cfg, "__dict__"):
        object.__setattr__(cfg, _ATTACHED, settings)     # DictConfig routes setattr to its content
    return settings


def settings_of(cfg: Any) -> Settings:
    """The settings parsed at job start, else parsed now (tests and tools that build a config themselves)."""
    found = getattr(cfg, "__dict__", {}).get(_ATTACHED)
    return found if isinstance(found, Settings) else Settings.from_cfg(cfg)
