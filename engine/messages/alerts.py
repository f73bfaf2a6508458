"""Messages of paper/live alerts (engine/alerts/): session, kill-switch clears, errors, feed, summary, heartbeat."""
MESSAGES = {
    "alerts.session_start": {
        "ko": "{mode} 세션 시작: 실행 {run_id}, 마켓 {markets}",
        "en": "{mode} session started: run {run_id}, markets {markets}"},
    "alerts.session_stop": {
        "ko": "{mode} 세션 종료 ({status}): 실행 {run_id}, 이벤트 {events}건, 거래 {trades}건, 순손익 {net_krw:+,.0f} KRW",
        "en": "{mode} session stopped ({status}): run {run_id}, {events} events, {trades} trades, net {net_krw:+,.0f} KRW"},
    "alerts.session_failed": {
        "ko": "{mode} 세션 실패 (실행 {run_id}): {error}",
        "en": "{mode} session failed (run {run_id}): {error}"},
    "alerts.clear": {
        "ko": "킬 스위치 {switch}{market} 해제 ({why})",
        "en": "kill switch {switch}{market} cleared ({why})"},
    "alerts.clear.expired": {"ko": "시간 만료", "en": "expired"},
    "alerts.clear.recovered": {"ko": "조건 해소", "en": "condition gone"},
    "alerts.clear.manual": {"ko": "수동 해제", "en": "cleared by hand"},
    "alerts.fill": {
        "ko": "체결 {market} {side} {volume:g} @ {price:,.8g} (수수료 {fee_krw:,.0f} KRW)",
        "en": "fill {market} {side} {volume:g} @ {price:,.8g} (fee {fee_krw:,.0f} KRW)"},
    "alerts.rejected": {
        "ko": "거래소가 주문 {n}건 거부; 마지막: {market} {side}: {reason}",
        "en": "exchange rejected {n} orders; last: {market} {side}: {reason}"},
    "alerts.store_errors": {
        "ko": "저장소 쓰기 오류 {n}건 (누적 {total}건): 세션은 계속되고 기록은 재시도됩니다",
        "en": "{n} store write errors ({total} in all): the session goes on, rows are retried"},
    "alerts.feed_stale": {
        "ko": "시세 수신 없음 {seconds:.0f}초 (한도 {limit_s:g}초)",
        "en": "no feed event for {seconds:.0f} s (limit {limit_s:g} s)"},
    "alerts.feed_back": {
        "ko": "시세 수신 재개 ({seconds:.0f}초 공백 후)",
        "en": "feed delivering again after a {seconds:.0f} s gap"},
    "alerts.daily_summary": {
        "ko": ("일일 요약 {date} KST: 자산 {equity_krw:,.0f} KRW, {since} 이후 손익 {pnl_krw:+,.0f} KRW ({pnl_pct:+.2f}%), "
               "거래 {trades}건 (수익 {wins}건, 순 {net_krw:+,.0f} KRW), 킬 스위치 발동 {trips}건, 보유 포지션 {positions}개"),
        "en": ("daily summary {date} KST: equity {equity_krw:,.0f} KRW, PnL since {since} {pnl_krw:+,.0f} KRW "
               "({pnl_pct:+.2f}%), {trades} trades ({wins} won, net {net_krw:+,.0f} KRW), {trips} kill-switch trips, "
               "{positions} open positions")},
    "alerts.stalled": {
        "ko": "엔진 스레드가 {seconds:.0f}초 동안 멈춤 (하트비트 {heartbeat_s:g}초마다)",
        "en": "engine thread has not ticked for {seconds:.0f} s (heartbeat every {heartbeat_s:g} s)"},
    "alerts.unstalled": {
        "ko": "엔진 스레드 재개 ({seconds:.0f}초 정지 후)",
        "en": "engine thread ticking again after {seconds:.0f} s"},
    "alerts.market_flagged": {
        "ko": "{market}: 신규 진입 중지 ({reason})",
        "en": "{market}: no new entries ({reason})"},
    "alerts.coalesced": {"ko": "알림 {n}건:", "en": "{n} alerts:"},
    "alerts.dropped": {
        "ko": "(대기열이 가득 차 알림 {n}건 버림)",
        "en": "({n} alerts dropped: queue full)"},
}
