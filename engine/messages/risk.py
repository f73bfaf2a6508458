"""Messages of risk management: kill-switch trip reasons (keys = Trip.reason), trading states, refusals."""
MESSAGES = {
    "killswitch.daily_loss": {
        "ko": "일일 손실 {loss_pct:.2f}% (한도 {limit_pct:.2f}%): 오늘은 신규 진입 중단",
        "en": "daily loss {loss_pct:.2f}% (limit {limit_pct:.2f}%): no new entries for the rest of the day"},
    "killswitch.max_drawdown": {
        "ko": "최고점 대비 낙폭 {drawdown_pct:.2f}% (한도 {limit_pct:.2f}%): 거래 중지",
        "en": "drawdown from peak {drawdown_pct:.2f}% (limit {limit_pct:.2f}%): trading halted"},
    "killswitch.consecutive_losses": {
        "ko": "연속 손실 {losses}회 (한도 {limit}회)",
        "en": "{losses} losing trades in a row (limit {limit})"},
    "killswitch.random_walk_regime": {
        "ko": "{market}: 허스트 지수 {hurst:.3f}가 랜덤워크 구간 [{low}, {high}] 안: 진입 안 함",
        "en": "{market}: Hurst {hurst:.3f} inside the random-walk band [{low}, {high}]: no entries"},
    "killswitch.api_error_rate": {
        "ko": "API 오류율 {rate_pct:.1f}% (한도 {limit_pct:.1f}%): 일시 중지",
        "en": "API error rate {rate_pct:.1f}% (limit {limit_pct:.1f}%): paused"},
    "killswitch.calibration_error": {
        "ko": "보정 오차(ECE) {ece:.3f} > {limit}: 진입 중단, 모델 재학습 필요",
        "en": "calibration error (ECE) {ece:.3f} > {limit}: entries blocked, retrain the model"},
    "killswitch.position_concentration": {
        "ko": "{market_name} 포지션이 자산의 {share_pct:.1f}% (한도 {limit_pct:.1f}%)",
        "en": "{market_name} position is {share_pct:.1f}% of equity (limit {limit_pct:.1f}%)"},
    "killswitch.exposure_leverage": {
        "ko": "총 노출/자산 {ratio:.2f} > {limit}",
        "en": "gross exposure / equity {ratio:.2f} > {limit}"},
    "killswitch.spread_surge": {
        "ko": "{market}: 스프레드가 중앙값의 {ratio:.1f}배 (한도 {limit}배): 진입 안 함",
        "en": "{market}: spread {ratio:.1f}x its median (limit {limit}x): no entries"},
    "killswitch.volume_dryup": {
        "ko": "{market}: 최근 거래대금이 평소의 {ratio:.2f}배 (하한 {limit}배): 진입 안 함",
        "en": "{market}: recent traded value {ratio:.2f}x its baseline (floor {limit}x): no entries"},
    "killswitch.zombie_orders": {
        "ko": "좀비 주문 {orders}건 (한도 {limit}건): 모든 주문 취소",
        "en": "{orders} zombie orders (limit {limit}): cancelling all orders"},
    "killswitch.inference_latency": {
        "ko": "추론 지연 {latency_ms:.1f} ms > {limit_ms} ms: 축소 운영",
        "en": "inference latency {latency_ms:.1f} ms > {limit_ms} ms: degraded"},
    "killswitch.memory": {
        "ko": "메모리 {rss_mb:.0f} MiB > 한도 {limit_mb:.0f} MiB",
        "en": "memory {rss_mb:.0f} MiB > limit {limit_mb:.0f} MiB"},
    "killswitch.store_errors": {
        "ko": "저장소 오류 {errors}건 (한도 {limit}건): 일시 중지",
        "en": "{errors} store errors (limit {limit}): paused"},
    "killswitch.sim_real_gap": {
        "ko": "시뮬레이션과 실거래 차이 {gap_pct:.1f}% (한도 {limit_pct:.1f}%): 거래 중지",
        "en": "simulation vs live gap {gap_pct:.1f}% (limit {limit_pct:.1f}%): trading halted"},
    "killswitch.slippage_p95": {
        "ko": "최근 {fills}건 체결의 슬리피지 p95 {p95_bps:.1f} bps (한도 {limit_bps:.1f} bps): 진입 안 함",
        "en": "slippage p95 of the last {fills} fills {p95_bps:.1f} bps (limit {limit_bps:.1f} bps): no entries"},
    "killswitch.stale_data": {
        "ko": "{market}: {age_s:.0f}초 동안 시세 없음 (한도 {limit_s:.0f}초): 진입 안 함",
        "en": "{market}: no market data for {age_s:.0f} s (limit {limit_s:.0f} s): no entries"},
    "killswitch.ticker_book_mismatch": {
        "ko": "{market}: 체결가와 호가 중간값 차이 {gap_pct:.2f}% (한도 {limit_pct:.2f}%)",
        "en": "{market}: last trade vs book mid differ by {gap_pct:.2f}% (limit {limit_pct:.2f}%)"},
    "killswitch.balance_watchdog": {
        "ko": "자산이 최근 {window_min:.0f}분 최고치 대비 {drop_pct:.2f}% 감소 (한도 {limit_pct:.2f}%): 거래 중지",
        "en": "equity fell {drop_pct:.2f}% from its {window_min:.0f}-minute high (limit {limit_pct:.2f}%): halted"},
    "killswitch.balance_drift": {
        "ko": "거래소 잔고와 장부 차이 {drift_pct:.2f}% (한도 {limit_pct:.2f}%): 거래 중지",
        "en": "exchange balance vs ledger differ by {drift_pct:.2f}% (limit {limit_pct:.2f}%): halted"},
    "risk.state": {"ko": "거래 상태: {state}", "en": "trading state: {state}"},
    "risk.trip": {"ko": "킬 스위치 {switch} → {action}: {reason}", "en": "kill switch {switch} -> {action}: {reason}"},
    "risk.check.no_stop": {"ko": "{mode} 모드에는 hard_stop 청산이 필요합니다 (예: exits=[hard_stop,profit_target])",
                           "en": "{mode} mode needs a hard_stop exit (e.g. exits=[hard_stop,profit_target])"},
    "risk.check.no_class_cap": {"ko": "market_class '{market_class}'의 상한이 없습니다",
                                "en": "no cap for market_class '{market_class}'"},
    "risk.cleared": {"ko": "킬 스위치 {switch} 해제", "en": "kill switch {switch} cleared"},
}
