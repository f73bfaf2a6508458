"""Messages of the simulated exchange area: `scalp bench matching`."""
MESSAGES = {
    "bench.matching.header": {
        "ko": "매칭 벤치마크: Binance 세트 {events}개 이벤트 (로드 {load_s}초, 첫 호출+JIT {jit_s}초), 중앙값 {runs}회",
        "en": "matching benchmark: Binance set, {events} events (load {load_s} s, first call + JIT {jit_s} s), median of {runs} runs"},
    "bench.matching.row": {
        "ko": "{name:<28} {rate:>14} {unit}  {detail}",
        "en": "{name:<28} {rate:>14} {unit}  {detail}"},
    "bench.matching.events_unit": {"ko": "이벤트/초", "en": "events/s"},
    "bench.matching.candles_unit": {"ko": "봉/초", "en": "candles/s"},
    "bench.matching.quote_detail": {
        "ko": "신규 {new} / 정정 {replace} / 체결 {filled}",
        "en": "new {new} / replace {replace} / filled {filled}"},
    "bench.matching.ladder_detail": {
        "ko": "주문 {orders}개 (마켓별 {every_ms}ms마다), 체결 {fills}",
        "en": "{orders} orders (one per market every {every_ms} ms), {fills} fills"},
    "bench.matching.peers": {
        "ko": "같은 머신의 피어 (../shared/bench/peers): hftbacktest 1,228,546 이벤트/초, nautilus 124,444 이벤트/초, "
              "hftbacktest 신규 128 / 정정 208 / 체결 127",
        "en": "peers on this machine (../shared/bench/peers): hftbacktest 1,228,546 events/s, nautilus 124,444 events/s, "
              "hftbacktest new 128 / replace 208 / fills 127"},
}
