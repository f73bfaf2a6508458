"""Messages of restart = resume, honest shutdown and `scalp reconcile`."""
MESSAGES = {
    "live.resumed": {"ko": "재개: 포지션 {positions}건 · 주문 {orders}건 정리 · 체결 {fills}건 반영 · 비정상 종료 실행 {crashed}건 표시",
                     "en": "resumed: {positions} position(s) · {orders} order(s) resolved · {fills} fill(s) booked · "
                           "{crashed} crashed run(s) marked"},
    "live.unknown_order": {"ko": "미확인: {identifier} — 최종 상태를 확인하지 못했습니다 (다음 시작에서 정리)",
                           "en": "unknown: {identifier} — its final state could not be confirmed (the next start "
                                 "resolves it)"},
    "live.unconfirmed": {"ko": "경고: 거래소에 연결되지 않아 주문 {n}건을 확인하지 못했습니다 — 연결되면 `scalp reconcile` 을 실행하세요",
                         "en": "WARNING: the exchange did not answer; {n} order(s) unconfirmed at stop — run "
                               "`scalp reconcile` once it answers"},
    "cmd.reconcile": {"ko": "저장소의 포지션/미체결 주문과 거래소의 잔고/미체결 주문 비교 (일치할 때만 종료 코드 0)",
                      "en": "compare the store's positions and open orders with the exchange's balances and open "
                            "orders (exit 0 only when they match)"},
    "help.reconcile.usage": {"ko": "사용법: scalp reconcile [--json] [오버라이드...]",
                             "en": "usage: scalp reconcile [--json] [overrides...]"},
    "help.reconcile.about": {
        "ko": ("저장소의 마지막 실거래 실행 기준으로, 봇의 체결이 만드는 포지션과 아직 열린 주문을 거래소의 잔고 및 "
               "미체결 주문(식별자 접두어 scalp-)과 통화별·식별자별로 비교하고 차이를 출력합니다. 봇이 만들지 않은 "
               "보유분(이전 보유)은 따로 표시합니다. --json 은 stdout 에 JSON 만 씁니다."),
        "en": ("compares, for the store's latest live run, the positions the bot's fills add up to and its orders "
               "still open with the exchange's balances and open orders (identifier prefix scalp-), per currency "
               "and identifier, and prints the differences. Holdings the bot did not create (prior holdings) are "
               "listed apart. --json writes only JSON on stdout.")},
    "help.reconcile.reads": {"ko": "  store, markets, exchange (base_url, 키 환경 변수)",
                             "en": "  store, markets, exchange (base_url, key variables)"},
    "reconcile.header": {"ko": "대사: 저장소 실행 {run_id} ({mode}) ↔ 거래소 {base}",
                         "en": "reconcile: store run {run_id} ({mode}) vs exchange {base}"},
    "reconcile.no_run": {"ko": "저장소에 {mode} 실행이 없습니다 — 비교할 기록 없음",
                         "en": "no {mode} run in the store — nothing to compare"},
    "reconcile.position": {"ko": "  {market}: 저장소 {store} + 이전 보유 {prior} · 거래소 {held} · 차이 {diff} · {verdict}",
                           "en": "  {market}: store {store} + prior {prior} · exchange {held} · diff {diff} · {verdict}"},
    "reconcile.ok": {"ko": "일치", "en": "ok"},
    "reconcile.mismatch": {"ko": "불일치", "en": "MISMATCH"},
    "reconcile.order_store_only": {"ko": "  주문 {identifier}: 저장소에는 열림, 거래소에는 없음",
                                   "en": "  order {identifier}: open in the store, not open on the exchange"},
    "reconcile.order_exchange_only": {"ko": "  주문 {identifier} ({market}): 거래소에 열림, 저장소에는 없음",
                                      "en": "  order {identifier} ({market}): open on the exchange, not in the store"},
    "reconcile.orders": {"ko": "  미체결 주문: 저장소 {store}건 · 거래소(봇) {exchange}건",
                         "en": "  open orders: store {store} · exchange (ours) {exchange}"},
    "reconcile.prior": {"ko": "이전 보유 (봇이 만들지 않음): {items}", "en": "prior holdings (not the bot's): {items}"},
    "reconcile.bot_running": {"ko": "주의: 실행 {run_id} 이(가) 아직 동작 중입니다 — 진행 중인 주문은 저장소에 아직 없으니 봇을 멈춘 뒤 다시 비교하세요",
                              "en": "note: run {run_id} is still running — orders in flight are not in the store yet; "
                                    "compare again with the bot stopped"},
    "reconcile.match": {"ko": "대사 결과: 일치", "en": "reconcile: match"},
    "reconcile.differ": {"ko": "대사 결과: 차이 {n}건", "en": "reconcile: {n} difference(s)"},
}
