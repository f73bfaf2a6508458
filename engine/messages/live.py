"""Messages of the paper / live / cancel-all commands."""
MESSAGES = {
    "cmd.paper": {"ko": "모의 거래: 실시간 시세(upbit_ws) + 시뮬레이터 체결, 같은 엔진 루프 (run.duration_s 또는 Ctrl-C로 종료)",
                  "en": "paper trading: live market data (upbit_ws) + simulated fills, the same engine loop "
                        "(stops after run.duration_s or Ctrl-C)"},
    "cmd.live": {"ko": "실거래: validate 통과 후에만 시작, 실제 주문 (키는 환경변수에서만), 종료 시 미체결 주문 취소",
                 "en": "live trading: starts only after validate passes, real orders (keys from env only), "
                       "cancels open orders on exit"},
    "cmd.cancel_all": {"ko": "설정된 거래소의 모든 미체결 주문 취소 (취소한 주문 출력)",
                       "en": "cancel every open order on the configured exchange (prints what it cancelled)"},
    "live.need_real_exchange": {"ko": "실거래에는 실제 거래소 클라이언트가 필요합니다 (exchange=upbit); 현재 '{component}'",
                                "en": "live trading needs a real exchange client (exchange=upbit); got '{component}'"},
    "live.need_live_feed": {"ko": "모의/실거래에는 실시간 피드가 필요합니다 (feed=upbit_ws); 현재 '{component}'",
                            "en": "paper/live need a live feed (feed=upbit_ws); got '{component}'"},
    "live.refuse_mode": {"ko": "이 명령은 mode={want} 로만 실행됩니다 (받은 값: mode={mode})",
                         "en": "this command runs only with mode={want} (got mode={mode})"},
    "live.started": {"ko": "{mode} 시작: 마켓 {markets} · 실행 {run_id} · 피드 {feed} · 거래소 {exchange}",
                     "en": "{mode} started: markets {markets} · run {run_id} · feed {feed} · exchange {exchange}"},
    "live.execution": {"ko": "체결 품질: 지정가 우선 {limit_first}건 (체결 {filled}, 시장가 전환 {fallbacks}) · "
                             "슬리피지 한도로 잔량 취소 {capped}건 · 슬리피지 p95 {p95} bps · 거래소 시계 차이 {clock} ms",
                       "en": "execution: limit-first {limit_first} (filled {filled}, market fallback {fallbacks}) · "
                             "remainders cancelled at the slippage cap {capped} · slippage p95 {p95} bps · "
                             "exchange clock offset {clock} ms"},
    "live.market_flagged": {"ko": "{market}: 신규 진입 중지 ({reason})",
                            "en": "{market}: no new entries ({reason})"},
    "live.flag.warning": {"ko": "업비트 투자유의 종목", "en": "Upbit investment warning"},
    "live.flag.suspended": {"ko": "거래 중지: 시세의 거래 중지 표시 또는 주문이 market_offline 으로 거부됨",
                            "en": "trading suspended: the ticker says so, or orders were refused market_offline"},
    "live.flag.delisted": {"ko": "상장 폐지: 시세가 DELISTED 또는 상장 폐지일을 알림",
                           "en": "delisting: the ticker says DELISTED or gives a delisting date"},
    "live.flag.unlisted": {"ko": "마켓 목록에 없음 (상장 폐지 또는 중지)", "en": "not in the market list (delisted or suspended)"},
    "live.swept": {"ko": "시작 정리: 이전 세션의 미체결 주문 {n}건 취소", "en": "startup sweep: cancelled {n} leftover order(s)"},
    "live.foreign": {"ko": "다른 프로그램/수동 주문 {n}건은 건드리지 않았습니다",
                     "en": "left {n} order(s) placed by hand or another program untouched"},
    "live.stopped": {"ko": "{mode} 종료 ({status}): 이벤트 {events} · 실행 {run_id} · 종료 시 취소 {cancelled}건 · 남은 미체결 {left}건",
                     "en": "{mode} stopped ({status}): {events} events · run {run_id} · cancelled at stop {cancelled} · "
                           "still open {left}"},
    "live.summary.paper": {"ko": "모의 거래 요약", "en": "Paper session summary"},
    "live.summary.live": {"ko": "실거래 요약", "en": "Live session summary"},
    "live.error": {"ko": "오류: {detail}", "en": "error: {detail}"},
    "live.left_open": {"ko": "경고: 미체결 주문 {n}건이 남았습니다 — `scalp cancel-all` 로 정리하세요",
                       "en": "WARNING: {n} order(s) still open — run `scalp cancel-all`"},
    "cancel_all.none": {"ko": "미체결 주문 없음 ({base})", "en": "no open orders ({base})"},
    "cancel_all.order": {"ko": "취소: {market} {side} {ord_type} 가격 {price} 수량 {volume} · {identifier} · {uuid}",
                         "en": "cancelled: {market} {side} {ord_type} price {price} volume {volume} · {identifier} · {uuid}"},
    "cancel_all.failed": {"ko": "취소 실패: {uuid} ({error})", "en": "cancel failed: {uuid} ({error})"},
    "cancel_all.done": {"ko": "미체결 주문 {n}건 취소, 남은 미체결 {left}건",
                        "en": "cancelled {n} open order(s); {left} still open"},
}
