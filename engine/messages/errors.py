"""Korean texts of our own validators' English error messages (pydantic `value_error` / `assertion_error` from a
`model_validator` / `field_validator`, and the exchange server's source errors).

Keyed by the English message as a template: `{name}` stands for any text and is carried into the Korean one.
engine.i18n.error_text picks the entry; a message with no entry (a plugin's) keeps its own text."""
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
}
