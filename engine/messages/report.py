"""Messages of the HTML report: headings, column names, notes (the page follows ui.lang like the console)."""
MESSAGES = {
    "report.title": {"ko": "scalp 백테스트 — 실행 {run_id} ({name})", "en": "scalp backtest — run {run_id} ({name})"},
    "report.subtitle": {
        "ko": "{start} → {end} · 마켓 {markets} · 이벤트 {events}개 · 손익은 수수료(편도 0.05 %), 스프레드, 슬리피지를 "
              "시뮬레이션대로 뺀 값 · 샤프는 {interval}초 자산 표본으로 연율화 (24시간, 365일)",
        "en": "{start} → {end} · markets {markets} · {events} events · net of fees (0.05 % per side), spread and "
              "slippage as simulated · Sharpe annualised from {interval} s equity samples, 24/7 (365 d)"},
    "report.h.summary": {"ko": "요약", "en": "Summary"},
    "report.h.equity": {"ko": "자산 (KRW)", "en": "Equity (KRW)"},
    "report.h.drawdown": {"ko": "낙폭", "en": "Drawdown"},
    "report.h.exit_reasons": {"ko": "청산 사유별", "en": "By exit reason"},
    "report.h.days": {"ko": "일별 (UTC, 청산일 기준)", "en": "Per day (UTC, by exit day)"},
    "report.h.markets": {"ko": "마켓별", "en": "Per market"},
    "report.h.trades": {"ko": "가격 위 거래", "en": "Trades on price"},
    "report.h.last_trades": {"ko": "최근 왕복 거래 {n}건", "en": "Last {n} round trips"},
    "report.h.walkforward": {"ko": "워크포워드", "en": "Walk-forward"},
    "report.h.drift": {"ko": "분포 이동 (테스트 대 학습)", "en": "Drift (test vs train)"},
    "report.h.calibration": {"ko": "보정", "en": "Calibration"},
    "report.h.importance": {"ko": "피처 중요도", "en": "Feature importance"},
    "report.h.quality": {"ko": "데이터 품질", "en": "Data quality"},
    "report.h.killswitches": {"ko": "킬 스위치 발동", "en": "Kill-switch trips"},
    "report.h.run": {"ko": "실행 정보", "en": "Run"},
    "report.trades_legend": {"ko": "▲ 매수 체결 · ▼ 매도 체결 (마우스를 올리면 상세)",
                             "en": "▲ buy fill · ▼ sell fill (hover for details)"},
    "report.none": {"ko": "없음", "en": "none"},
    "report.no_data": {"ko": "(데이터 없음)", "en": "(no data)"},
    "report.no_price": {"ko": "(가격 데이터 없음)", "en": "(no price data)"},
    "report.total": {"ko": "합계", "en": "total"},
    "report.hold": {"ko": "{m}분 {s:02d}초", "en": "{m}m {s:02d}s"},
    "report.cal_note": {"ko": "x: 구간별 평균 예측 P(상승), y: 관측 빈도, 점선: 완벽한 보정{outcome}",
                        "en": "x: mean predicted P(up) per bin, y: observed frequency, dashed: perfect calibration{outcome}"},
    "report.cal_outcome": {"ko": " — 결과: {outcome} ({minutes}분)", "en": " — outcome: {outcome} ({minutes} min)"},
    "report.trips.split": {
        "ko": "거래 시작({start}) 전 준비 구간 {warm}건 · 거래 중 {trading}건. 준비 구간의 발동은 주문에 영향이 없습니다.",
        "en": "{warm} during warm-up before trading starts ({start}) · {trading} while trading. Warm-up trips "
              "cannot affect orders."},
    "report.trips.trading_list": {"ko": "거래 중 발동 (처음 {n}건)", "en": "Trips while trading (first {n})"},
    "report.trips.warm_list": {"ko": "준비 구간 발동 (처음 {n}건)", "en": "Warm-up trips (first {n})"},
    "report.wf.caption": {
        "ko": "레이블 {label} · 마켓 {markets} · 폴드 번호는 콘솔과 같습니다 (1부터). trades·net_pnl·fees_krw·"
              "spread_slippage_krw·sharpe·max_drawdown: 각 폴드 모델로 테스트 구간을 엔진(모의 거래소, 설정된 청산·"
              "사이징·리스크)으로 재생한 결과 (scalp backtest와 같은 경로); estimate_*: 벡터화 추정치 (장벽 청산, "
              "비용 모형); base_*: 추정치 위에서 같은 노출의 무작위 진입 기준선 (단측 순열 p값)",
        "en": "label {label} · markets {markets} · folds numbered as on the console (from 1). trades, net_pnl, "
              "fees_krw, spread_slippage_krw, sharpe, max_drawdown: the engine replay of the test window with the "
              "fold's models (simulated exchange, configured exits, sizing and risk; the path scalp backtest runs); "
              "estimate_*: a vectorised estimate (barrier exits, cost model prices); base_*: random entry at "
              "matched exposure on the estimate (one-sided permutation p-value)"},
    "report.run.facts": {"ko": "실행 {run_id} · 시드 {seed} · 이벤트 {events}개 · {wall_s}초 · 타워 {towers} · "
                               "결정 간격 {interval_ms} ms · 체결 모형 {fill_model}",
                         "en": "run {run_id} · seed {seed} · {events} events · {wall_s} s · towers {towers} · "
                               "decision interval {interval_ms} ms · fill model {fill_model}"},
    "report.run.config": {"ko": "설정 (항목을 눌러 펼치기)", "en": "config (click a node to expand)"},
    "report.run.meta": {"ko": "실행 메타데이터", "en": "run metadata"},
    "report.col.market": {"ko": "마켓", "en": "market"},
    "report.col.trades": {"ko": "거래", "en": "trades"},
    "report.col.win_rate": {"ko": "승률", "en": "win rate"},
    "report.col.gross": {"ko": "수수료 전 KRW", "en": "gross KRW"},
    "report.col.net": {"ko": "순손익 KRW", "en": "net KRW"},
    "report.col.fees": {"ko": "수수료 KRW", "en": "fees KRW"},
    "report.col.exposure": {"ko": "노출", "en": "exposure"},
    "report.col.decisions": {"ko": "결정", "en": "decisions"},
    "report.col.entries": {"ko": "진입", "en": "entries"},
    "report.col.avg_hold": {"ko": "평균 보유", "en": "avg hold"},
    "report.col.reason": {"ko": "청산 사유", "en": "exit reason"},
    "report.col.avg_net_pct": {"ko": "평균 순수익률", "en": "avg net %"},
    "report.col.day": {"ko": "날짜", "en": "day"},
    "report.col.cum_net": {"ko": "누적 KRW", "en": "cumulative KRW"},
    "report.col.time": {"ko": "시각", "en": "time"},
    "report.col.switch": {"ko": "스위치", "en": "switch"},
    "report.col.action": {"ko": "조치", "en": "action"},
    "report.col.why": {"ko": "사유", "en": "reason"},
    "report.col.warmup": {"ko": "준비 구간", "en": "warm-up"},
    "report.col.trading": {"ko": "거래 중", "en": "trading"},
    "report.col.entry": {"ko": "진입", "en": "entry"},
    "report.col.exit": {"ko": "청산", "en": "exit"},
    "report.col.entry_px": {"ko": "진입가", "en": "entry px"},
    "report.col.exit_px": {"ko": "청산가", "en": "exit px"},
    "report.col.net_pct": {"ko": "순수익률", "en": "net %"},
    "report.col.check": {"ko": "검사", "en": "check"},
    "report.col.count": {"ko": "건수", "en": "count"},
}
