"""Korean texts of our own English error messages: validators (pydantic `value_error` / `assertion_error` from a
`model_validator` / `field_validator`), the exchange server's source errors, and the data / training problems a
command prints as one line (exit 3).

Keyed by the English message as a template: `{name}` stands for any text and is carried into the Korean one
(itself translated when it is one of these messages, e.g. the reason inside `bad candle row: {e}`).
engine.i18n.error_text picks the entry; a message with no entry (a plugin's, a library's) keeps its own text."""
MESSAGES: dict = {}      # not catalog messages: English lives at the raise, Korean here
KO = {
    # components/sizing/confidence_proportional.py
    "small_high_confidence must be >= min_confidence": "small_high_confidence 는 min_confidence 이상이어야 합니다",
    # components/feature/{vol,trend,volume}_regime.py
    "fast_bars must be smaller than slow_bars": "fast_bars 는 slow_bars 보다 작아야 합니다",
    # components/feature/hurst.py
    "max_lag must be at most window_bars / 2": "max_lag 는 window_bars / 2 이하여야 합니다",
    # components/universe/liquidity.py
    "max_volatility_pct must be above min_volatility_pct": "max_volatility_pct 는 min_volatility_pct 보다 커야 합니다",
    # components/universe/static.py
    "market codes look like KRW-BTC; got {bad}": "마켓 코드는 KRW-BTC 형식이어야 합니다; 받은 값 {bad}",
    # components/fusion/weighted.py
    "weights.{cls}: negative or non-finite weight for {bad}": "weights.{cls}: {bad} 의 가중치가 음수이거나 유한하지 않습니다",
    "weights.{cls}: weights sum to 0": "weights.{cls}: 가중치 합이 0 입니다",
    # components/fusion/learned.py
    "min_obs ({min_obs}) must be <= window_obs ({window_obs})":
        "min_obs ({min_obs}) 는 window_obs ({window_obs}) 이하여야 합니다",
    # components/killswitch/base.py
    "action 'pause' needs seconds > 0": "action 'pause' 에는 seconds > 0 이 필요합니다",
    "action 'scale_size' needs factor < 1": "action 'scale_size' 에는 factor < 1 이 필요합니다",
    # components/killswitch/volume_dryup.py
    "baseline_s must be longer than recent_s": "baseline_s 는 recent_s 보다 길어야 합니다",
    # components/killswitch/random_walk_regime.py
    "hurst_low must be <= hurst_high": "hurst_low 는 hurst_high 이하여야 합니다",
    # components/tower/_seq_tower.py
    "burn_in_steps ({burn}) must be < window_steps ({window}): no step of a window would be scored":
        "burn_in_steps ({burn}) 는 window_steps ({window}) 보다 작아야 합니다: 그렇지 않으면 창의 어떤 스텝도 채점되지 않습니다",
    # components/feed/replay.py
    "expected ISO time (2025-09-20T00:00:00Z) or epoch ms": "ISO 시각 (2025-09-20T00:00:00Z) 또는 epoch ms 여야 합니다",
    # engine/server/config.py
    "host: the exchange server binds to 127.0.0.1 only (it holds test keys)":
        "host: 거래소 서버는 127.0.0.1 에만 바인딩합니다 (시험용 키를 가지고 있음)",
    # engine/server/source.py
    "source.path: {path} does not exist": "source.path: {path} 가 없습니다",
    "source.path: no Upbit capture data for {markets} in {path}":
        "source.path: {path} 에 {markets} 의 Upbit 캡처 데이터가 없습니다",
    "source.path: no candles_1m/<MARKET>.csv.gz for {markets} in {path}":
        "source.path: {path} 에 {markets} 의 candles_1m/<MARKET>.csv.gz 가 없습니다",
    # components/feed/upbit_ws.py
    "feed.types: unknown {bad}; use trade, orderbook, ticker": "feed.types: 알 수 없는 {bad}; trade, orderbook, ticker 중에서",
    "feed.orderbook_levels must be 1, 5, 15 or 30": "feed.orderbook_levels 는 1, 5, 15, 30 중 하나여야 합니다",
    # components/feed/resample.py
    "cannot resample {src}s candles to {dst}s (not a multiple)":
        "{src}s 캔들을 {dst}s 로 다시 만들 수 없습니다 (배수가 아님)",
    # components/label/*.py, components/tower/*.py: problems met while training a fold
    "{market}: no candles or trades to label": "{market}: 레이블을 붙일 캔들도 체결도 없습니다",
    "labels.direction needs trades; stream {market} has none":
        "labels.direction 에는 체결이 필요합니다; {market} 스트림에는 없습니다",
    "towers.hfp.inputs: none of {inputs} among the features {features}":
        "towers.hfp.inputs: {inputs} 중 어느 것도 피처 {features} 에 없습니다",
    "tower 'hfp': need both classes among labelled rows, got {n} rows":
        "tower 'hfp': 레이블이 붙은 행에 두 클래스가 모두 있어야 합니다 (행 {n}개)",
    "hfp: no order-book snapshots: the HFP tower needs book data":
        "hfp: 호가 스냅숏이 없습니다: HFP 타워에는 호가 데이터가 필요합니다",
    "towers.catboost: the training fold holds one class only ({n} rows)":
        "towers.catboost: 학습 폴드에 클래스가 하나뿐입니다 (행 {n}개)",
    # components/types/feed/*.py: why a data file or row was refused (after `<file>:<line>: `)
    "empty file (no header)": "빈 파일 (헤더 없음)",
    "unreadable: {e}": "읽을 수 없음: {e}",
    "header lacks columns {missing}; has {cols}": "헤더에 열 {missing} 이 없습니다; 있는 열 {cols}",
    "header lacks book columns {missing}...": "헤더에 호가 열 {missing}... 이 없습니다",
    "timestamps go backwards at row {i} ({ts} after {prev}); set feed.on_unsorted=fix to sort":
        "행 {i} 에서 시각이 거꾸로 갑니다 ({prev} 다음에 {ts}); 정렬하려면 feed.on_unsorted=fix",
    "bad candle row: {e}": "잘못된 캔들 행: {e}",
    "bad trade row: {e}": "잘못된 체결 행: {e}",
    "bad book row: {e}": "잘못된 호가 행: {e}",
    "bad capture line: {e}": "잘못된 캡처 줄: {e}",
    "not '<recv_epoch_s>: b'<json>'' nor a session header line":
        "'<recv_epoch_s>: b'<json>'' 형식도 세션 헤더 줄도 아닙니다",
    "not an integer: {s}": "정수가 아닙니다: {s}",
    "{what} is not finite: {s}": "{what} 가 유한하지 않습니다: {s}",
    "{n} fields, header has {m}": "필드 {n}개, 헤더는 {m}개",
    "non-positive price or negative volume": "가격이 0 이하이거나 수량이 음수",
    "non-positive price or volume": "가격 또는 수량이 0 이하",
    "non-finite price/size": "가격/수량이 유한하지 않음",
    "non-positive price or negative size": "가격이 0 이하이거나 잔량이 음수",
    "high/low do not bound open/close (o={o} h={h} l={lo} c={c})":
        "고가/저가가 시가/종가를 감싸지 않습니다 (o={o} h={h} l={lo} c={c})",
    "side must be BID or ASK, got {side}": "side 는 BID 또는 ASK 여야 합니다 (받은 값 {side})",
    "not a JSON candles reply: {e}": "JSON 캔들 응답이 아닙니다: {e}",
    "expected a JSON array of candles": "캔들의 JSON 배열이어야 합니다",
    "one market per file expected, found {markets}": "파일당 마켓 하나여야 합니다; 찾은 마켓 {markets}",
    "mixed candle units {units}": "캔들 단위가 섞여 있습니다 {units}",
    "candle #{i}: missing or bad field {e}": "캔들 #{i}: 없거나 잘못된 필드 {e}",
    "not a /v1/market/all reply": "/v1/market/all 응답이 아닙니다",
}

# engine/download/settings.py (scalp data download)
KO.update({
    "must be after download.start": "download.start 보다 뒤여야 합니다",
    "unknown units {bad}; known: {known}": "알 수 없는 단위 {bad}; 가능한 값: {known}",
})
