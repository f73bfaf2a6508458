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
        "ko": "피어 비교 (hftbacktest, nautilus, backtesting.py; 같은 머신에서 번갈아 실행): scalp bench loop",
        "en": "peer comparison (hftbacktest, nautilus, backtesting.py; same machine, run alternately): scalp bench loop"},
    "bench.loop.header": {
        "ko": "엔진 경로 벤치마크 ({cpu}), 워밍업 {warmup}회 + 측정 {runs}회 중앙값, 시작 부하 {load}",
        "en": "engine path benchmark ({cpu}), {warmup} warm-up + median of {runs} runs, load at start {load}"},
    "bench.loop.quote": {
        "ko": "(a) quote_touch 호가 ({events} 이벤트): {rate} 이벤트/초 (목표 {target}), 신규 {new} / 정정 {replace} / 체결 {fills}",
        "en": "(a) quote_touch quoting ({events} events): {rate} events/s (target {target}), new {new} / replace {replace} / fills {fills}"},
    "bench.loop.rule": {
        "ko": "(b) 규칙 기준선, 저장소 켬 ({candles} 봉): {rate} 봉/초 (목표 {target}), 거래 {trades}",
        "en": "(b) rule baseline, store on ({candles} candles): {rate} candles/s (target {target}), trades {trades}"},
    "bench.loop.rule_split": {
        "ko": "    한 번 더 실행한 분해: 사전 계산 {pre}초 + 봉마다 경로 {loop}초 + 저장소 기록 {flush}초 + 마무리 {finish}초 = {total}초",
        "en": "    one more run, split: precompute {pre} s + per-bar path {loop} s + store writes {flush} s + finish {finish} s = {total} s"},
    "bench.loop.rule_floors": {
        "ko": "    저장소 끔: {off} 봉/초; 최소 봇 (킬 스위치 1개, 청산 1개, 저장소 끔): {bare} 봉/초",
        "en": "    store off: {off} candles/s; bare bot (one kill switch, one exit, store off): {bare} candles/s"},
    "bench.loop.default": {
        "ko": "(c) 기본 scalp backtest: {wall}초 (목표 {target}) = 시작 {start} + 로드 {load} + 학습 {fit} + 재생 {replay} + 마무리 {finish} (종료 코드 {exit})",
        "en": "(c) default scalp backtest: {wall} s (target {target}) = start {start} + load {load} + fit {fit} + replay {replay} + finish {finish} (exit {exit})"},
    "bench.loop.peer": {"ko": "    {peer}: 비율 {ratio} (번갈아 {pairs}쌍, 중앙값)",
                        "en": "    {peer}: ratio {ratio} (median of {pairs} alternating pairs)"},
    "bench.loop.peer_not_run": {"ko": "    {peer}: 실행 안 함 ({why})", "en": "    {peer}: {why}"},
    "bench.loop.skipped": {"ko": "건너뜀 {what}: {why}", "en": "skipped {what}: {why}"},
}
