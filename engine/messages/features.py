"""Messages of the feature area: the feed link check and `scalp bench features`."""
MESSAGES = {
    "features.check.needs_missing": {
        "ko": "피처 '{feature}' ({component})에는 {needs} 이벤트가 필요하지만 피드 '{feed}'는 마켓 {markets}에 "
              "{provides}만 제공합니다 (캔들만 있는 피드에는 core_bar 또는 *_bvc / cs_spread 같은 봉 추정기를 쓰세요)",
        "en": "feature '{feature}' ({component}) needs {needs} events but feed '{feed}' provides only {provides} "
              "for {markets} (on candle-only feeds use core_bar or bar estimators like *_bvc / cs_spread)"},
    "features.check.market_lacks": {
        "ko": "{market}{hint}: 피드 '{feed}' 에 {missing} 데이터가 없습니다 (있는 것: {has}); 피처 {n}개가 필요로 함 ({features}). "
              "{missing} 데이터가 있는 마켓: {available}",
        "en": "{market}{hint}: feed '{feed}' has no {missing} data for it (it has {has}); {n} features need it ({features}). "
              "Markets with {missing} data: {available}"},
    "features.check.feed_unreadable": {
        "ko": "피드가 제공하는 이벤트 종류를 알 수 없어 피처 요구 사항을 확인하지 못했습니다: {detail}",
        "en": "cannot tell which events the feed provides, so feature needs were not checked: {detail}"},
    "features.bench.header": {
        "ko": "피처 벤치마크 (이벤트당 온라인 갱신 지연, 배치 처리량)",
        "en": "feature benchmark (online update latency per event, batch throughput)"},
    "features.bench.row": {
        "ko": "{set} · {data} · 이벤트 {events} · p50 {p50_us} µs · p99 {p99_us} µs · 배치 {batch_events_per_s} 이벤트/s",
        "en": "{set} · {data} · events {events} · p50 {p50_us} µs · p99 {p99_us} µs · batch {batch_events_per_s} events/s"},
    "features.bench.target": {
        "ko": "목표: core20 p99 ≤ {target_us} µs/이벤트/마켓 — {verdict}",
        "en": "target: core20 p99 ≤ {target_us} µs per event per market — {verdict}"},
    "features.bench.no_data": {
        "ko": "벤치마크 데이터가 없습니다: {path} (SCALP_SHARED_DATA 설정)",
        "en": "benchmark data not found: {path} (set SCALP_SHARED_DATA)"},
}
