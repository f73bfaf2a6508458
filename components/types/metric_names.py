"""Names of the metrics the engine and components publish into `Metrics` for kill switches (units in names).

Global metrics use the bare name; per-market metrics use `per_market(NAME, market)` = "NAME@KRW-BTC".
Publishers: ENGINE (loop, order manager), UPBIT (REST/WS clients), MODELS (towers, calibration), DATA (store).
A metric never published reads NaN and its switch stays quiet (it cannot trip on "no signal").
"""
from __future__ import annotations

# --- exchange / API (UPBIT client, sim exchange) ---
API_CALLS = "api_calls"                    # REST calls in the last window (count), for a minimum sample
API_ERROR_RATE = "api_error_rate"          # failed / total REST calls in the last window, fraction 0..1
ZOMBIE_ORDERS = "zombie_orders"            # open orders past their TTL or unknown to the order manager (count)
SLIPPAGE_P95_BPS = "slippage_p95_bps"      # p95 of realised fill slippage vs the decision price, last N fills, bps
SLIPPAGE_FILLS = "slippage_fills"          # fills behind slippage_p95_bps (count, at most orders.slippage_window_fills)
CLOCK_OFFSET_MS = "clock_offset_ms"        # exchange clock - local clock, median of recent REST Date headers, ms
# --- models (MODELS engineers) ---
CALIBRATION_ECE = "calibration_ece"        # expected calibration error of live P(up) vs outcomes, 0..1
CALIBRATION_SAMPLES = "calibration_samples"  # outcomes behind calibration_ece (count)
DRIFT_KS_MAX = "drift_ks_max"              # largest per-feature KS statistic, recent vs training window, 0..1
DRIFT_FEATURES_SHIFTED = "drift_features_shifted"  # features shifted (KS p < alpha and KS >= min_ks), count
DRIFT_FEATURES_SHARE = "drift_features_share"  # drift_features_shifted / features tested, 0..1
DRIFT_KS_EXCESS = "drift_ks_excess"        # largest (KS - the feature's calibrated in-sample limit), -1..1
INFERENCE_LATENCY_MS = "inference_latency_ms"  # p95 (or last) event -> decision model time, ms
SIM_REAL_GAP_PCT = "sim_real_gap_pct"      # |live PnL - sim PnL on the same fills| / |sim PnL|, percent
# --- process / store ---
MEMORY_RSS_MB = "memory_rss_mb"            # resident memory of the engine process, MiB
STORE_ERRORS = "store_errors"              # store write errors in the last window (count)
BALANCE_DRIFT_PCT = "balance_drift_pct"    # |exchange balance - ledger balance| / ledger, percent
# --- market data, per market (ENGINE from the feed; name@market) ---
SPREAD_PCT = "spread_pct"                  # (ask1 - bid1) / mid, percent, from the latest book
TRADED_KRW = "traded_krw"                  # cumulative traded value since start (counter: inc by price*volume)
LAST_EVENT_TS_MS = "last_event_ts_ms"      # timestamp of the latest market event received, ms
LAST_TRADE_PRICE = "last_trade_price"      # latest trade (ticker) price, KRW
BOOK_MID_PRICE = "book_mid_price"          # latest book mid, KRW
HURST = "hurst"                            # Hurst exponent of the recent price path (the feature providing `hurst`)

ALL = (API_CALLS, API_ERROR_RATE, ZOMBIE_ORDERS, SLIPPAGE_P95_BPS, SLIPPAGE_FILLS, CLOCK_OFFSET_MS, CALIBRATION_ECE,
       CALIBRATION_SAMPLES, DRIFT_KS_MAX, DRIFT_FEATURES_SHIFTED, DRIFT_FEATURES_SHARE, DRIFT_KS_EXCESS,
       INFERENCE_LATENCY_MS,
       SIM_REAL_GAP_PCT, MEMORY_RSS_MB, STORE_ERRORS, BALANCE_DRIFT_PCT, SPREAD_PCT, TRADED_KRW,
       LAST_EVENT_TS_MS, LAST_TRADE_PRICE, BOOK_MID_PRICE, HURST)
PER_MARKET = (SPREAD_PCT, TRADED_KRW, LAST_EVENT_TS_MS, LAST_TRADE_PRICE, BOOK_MID_PRICE, HURST)


def per_market(name: str, market: str) -> str:
    """Key of a per-market metric: "spread_pct@KRW-BTC"."""
    return f"{name}@{market}"
