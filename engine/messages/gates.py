"""Messages of the go-live gates (engine/live/gates.py) and of `scalp parity` (engine/parity.py)."""
MESSAGES = {
    "gates.refused": {
        "ko": "실거래 거부: 충족되지 않은 시작 조건 {n}개 (live.gates; 끄려면 live.gates.enabled=false)",
        "en": "live refused: {n} go-live gate(s) not met (live.gates; turn off with live.gates.enabled=false)"},
    "gates.unmet": {
        "ko": "  {gate}: 측정값 {measured} · 필요 {required}",
        "en": "  {gate}: measured {measured} · required {required}"},
    "gates.passed": {
        "ko": "시작 조건 통과: walk-forward 실행 {wf}, 모의 거래 실행 {paper} (서명 {sig})",
        "en": "go-live gates passed: walk-forward run {wf}, paper run {paper} (signature {sig})"},
    "gates.off": {
        "ko": "시작 조건 꺼짐 (live.gates.enabled=false): walk-forward·모의 거래 검증 없이 실거래",
        "en": "go-live gates OFF (live.gates.enabled=false): trading live without walk-forward/paper evidence"},
    "gates.no_walkforward": {
        "ko": "같은 서명의 walk-forward 없음 (저장된 walk-forward {n}개는 다른 설정)",
        "en": "no walk-forward with this signature ({n} stored walk-forward run(s) have other configs)"},
    "gates.same_signature": {
        "ko": "같은 거래 서명 {sig} 의 완료된 `scalp walkforward`",
        "en": "a finished `scalp walkforward` with trading signature {sig}"},
    "gates.store_readable": {
        "ko": "읽을 수 있는 저장소 (store)",
        "en": "a readable store (store)"},
    "gates.validate_note": {
        "ko": "참고 (scalp live 시작 조건): {line}",
        "en": "note (scalp live gates): {line}"},
    "cmd.parity": {
        "ko": "모의/실거래 세션을 백테스트로 재생: 같은 결정 비율, 체결가 차이, 손익 차이",
        "en": "replay a paper/live session through the backtester: identical decisions, fill-price gap, PnL gap"},
    "help.parity.usage": {
        "ko": "사용법: scalp parity <실행 id|latest> [--json] [--min-identical-pct P] [--max-pnl-gap-pct G] "
              "[store=... store.path=...]",
        "en": "usage: scalp parity <run id|latest> [--json] [--min-identical-pct P] [--max-pnl-gap-pct G] "
              "[store=... store.path=...]"},
    "help.parity.about": {
        "ko": "모의/실거래 세션이 기록한 시세를 저장된 설정과 시드로 백테스터에 다시 넣고 비교합니다: 같은 결정 (마켓, 시각, 행동) 비율, "
              "거래별 체결가 차이 (bps), 손익 차이 (%, 재생 수수료가 하한). 기준 안이면 0, 아니면 1.",
        "en": "replays the market data a paper/live session recorded through the backtester with the run's "
              "stored config and seed, and compares: share of identical decisions (market, ts, action), fill-price "
              "gap per trade (bps), PnL gap (%, floored at the replay's fees). Exit 0 within the thresholds, else 1."},
    "help.parity.reads": {
        "ko": "  store (기록된 세션), ui.lang",
        "en": "  store (the recorded session), ui.lang"},
    "parity.no_run": {
        "ko": "모의/실거래 실행 '{run}' 이 저장소에 없습니다 (있는 실행: {runs})",
        "en": "no paper/live run '{run}' in the store (runs there: {runs})"},
    "parity.no_tape": {
        "ko": "재생할 수 없음: {detail}",
        "en": "cannot replay: {detail}"},
    "parity.result": {
        "ko": "실행 {run} ({mode}) 재생 이벤트 {events}: 같은 결정 {same}/{total} = {pct}% (기준 ≥ {min}%)",
        "en": "run {run} ({mode}) replayed {events} events: identical decisions {same}/{total} = {pct}% (need ≥ {min}%)"},
    "parity.fills": {
        "ko": "  거래 {trades} (재생 {replay}): 체결가 차이 평균 {mean} bps, 최대 {worst} bps",
        "en": "  trades {trades} (replay {replay}): fill-price gap mean {mean} bps, worst {worst} bps"},
    "parity.pnl": {
        "ko": "  손익 {real} KRW vs 재생 {replay} KRW: 차이 {gap}% (기준 ≤ {max}%)",
        "en": "  PnL {real} KRW vs replay {replay} KRW: gap {gap}% (need ≤ {max}%)"},
    "parity.flags": {
        "ko": "  시장 플래그 변경 {changes}회 재생: 진입 거부 {real} (재생 {replay})",
        "en": "  market flags replayed ({changes} changes): entries refused {real} (replay {replay})"},
    "parity.passed": {"ko": "일치: 기준 안", "en": "parity OK: within thresholds"},
    "parity.failed": {"ko": "불일치: 기준 밖", "en": "parity FAILED: outside the thresholds"},
}
