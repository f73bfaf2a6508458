"""Messages of labels, the CatBoost tower, walk-forward, training and the leak check (MODELS1)."""
MESSAGES = {
    "cmd.walkforward": {"ko": "퍼지·엠바고 워크포워드 (학습 → 보정 → 테스트), 폴드별 지표와 무작위 진입 기준선",
                        "en": "purged walk-forward (train -> calibrate -> test) with per-fold metrics and a random-entry baseline"},
    "cmd.train": {"ko": "타워를 학습·보정하고 서명과 함께 저장 (towers.catboost.model_path 로 사용)",
                  "en": "train + calibrate a tower and save it with its signature (use via towers.catboost.model_path)"},
    "cmd.leakcheck": {"ko": "워크포워드를 정직하게 한 번, 레이블을 피처로 누설해 한 번 실행해 하네스가 누설을 잡는지 확인",
                      "en": "run walk-forward honestly and with the label leaked into the features; pass if only the leak scores high"},
    "wf.title": {"ko": "워크포워드 ({label}, {markets}, 행 {rows})", "en": "walk-forward ({label}, {markets}, {rows} rows)"},
    "wf.progress": {"ko": "폴드 학습", "en": "training folds"},
    "wf.summary": {"ko": "평균 AUC {auc} · Brier {brier} · ECE {ece} · 엔진 순손익 합계 {pnl} KRW · 거래 {trades} · "
                         "추정치 {est} KRW (무작위 진입 기준선 {base} KRW)",
                   "en": "mean AUC {auc} · Brier {brier} · ECE {ece} · engine net PnL {pnl} KRW · trades {trades} · "
                         "estimate {est} KRW (random-entry baseline {base} KRW)"},
    "wf.costs": {"ko": "손익: 거래당 {notional} KRW, 수수료 {fee}% ×2, 스프레드 봉 추정치 (최소 {spread}%, 1틱 이상), "
                       "슬리피지 {slip}%/체결, 틱 반올림 포함 (est_* 벡터화 추정치만; 나머지 손익은 엔진 재생)",
                 "en": "estimate (est_* columns only): {notional} KRW per trade, fee {fee}% x2, spread = bar estimate "
                       "(at least {spread}% and 1 tick), slippage {slip}%/fill, tick rounding included; every other "
                       "PnL column is the engine replay"},
    "wf.predicted_top": {"ko": "진입 맵 상위 {share}% 테스트 행 (추정치, {n}행): 예상 {predicted} · 시뮬레이션 실현 {realised} bps",
                         "en": "entry map, top {share}% of test rows (estimate, {n} rows): predicted {predicted} · "
                               "simulated {realised} bps"},
    "wf.bad_flag": {"ko": "알 수 없는 옵션 {flag}; 가능: {options}", "en": "unknown option {flag}; options: {options}"},
    "wf.error": {"ko": "워크포워드 실패: {detail}", "en": "walk-forward failed: {detail}"},
    "run.saved": {"ko": "저장: {path}", "en": "saved: {path}"},
    "run.report": {"ko": "보고서: {path}", "en": "report: {path}"},
    "wf.tick_fold": {"ko": "폴드 {fold}: 학습 {train}행 (1초 행), 테스트 {test}행, AUC {auc}, 적중률 {hit}",
                     "en": "fold {fold}: trained on {train} rows (one a second), tested on {test}, AUC {auc}, hit rate {hit}"},
    "train.done": {"ko": "학습 완료: 학습 {train}행, 보정 {cal}행, {seconds}초; 보정 구간 AUC {auc}",
                   "en": "trained on {train} rows, calibrated on {cal} rows in {seconds} s; calibration-fold AUC {auc}"},
    "train.use": {"ko": "사용 (학습 때와 같은 오버라이드, 학습 구간 이후 데이터): scalp backtest towers=[catboost] "
                        "towers.catboost.model_path={path} feed.start={after}",
                  "en": "use it (same overrides as for training, data after its span): scalp backtest towers=[catboost] "
                        "towers.catboost.model_path={path} feed.start={after}"},
    "leak.row": {"ko": "{run:>8}: 평균 AUC {auc} · ECE {ece} · 순손익 {pnl} KRW",
                 "en": "{run:>8}: mean AUC {auc} · ECE {ece} · net PnL {pnl} KRW"},
    "leak.pass": {"ko": "통과: 누설 실행 AUC가 {jump} 올랐고 정직한 실행은 {honest} (≤ {max_honest})",
                  "en": "PASS: the leaked run's AUC jumped by {jump}; the honest run stays at {honest} (<= {max_honest})"},
    "leak.fail_blind": {"ko": "실패: 누설된 레이블을 하네스가 보지 못했습니다 (AUC 상승 {jump} < {min_jump})",
                        "en": "FAIL: the harness did not see the leaked label (AUC jump {jump} < {min_jump})"},
    "leak.fail_honest": {"ko": "실패: 정직한 실행의 AUC {honest} > {max_honest} — 피처나 레이블에 누설이 의심됩니다",
                         "en": "FAIL: the honest run's AUC {honest} > {max_honest}: suspect a leak in the features or label"},
    "check.label_needs_ticks": {
        "ko": "레이블 '{label}'은 {needs} 데이터가 필요하지만 피드는 {provides}만 제공합니다; 틱 데이터 피드를 쓰거나 barrier_hit 을 쓰세요",
        "en": "label '{label}' needs {needs} data but the feed provides only {provides}; use a tick feed or barrier_hit"},
    "check.model_signature": {
        "ko": "저장된 모델의 서명이 설정과 다릅니다: {problems}\n  설정: {expected}\n  모델: {actual}",
        "en": "the saved model's signature does not match the config: {problems}\n  config expects: {expected}\n  model has: {actual}"},
    "check.model_in_sample": {
        "ko": "백테스트 구간이 모델의 학습·보정 구간 [{start}, {end}] ms 와 겹칩니다 (미래 정보 누설); "
              "feed.start={after} 이후로 두거나 scalp walkforward 를 쓰세요",
        "en": "the backtest overlaps the model's training/calibration span [{start}, {end}] ms (look-ahead); "
              "set feed.start={after} or later, or use scalp walkforward"},
    "check.model_missing": {"ko": "모델 폴더를 읽을 수 없습니다: {detail}", "en": "cannot read the model folder: {detail}"},
    "bench.decision.header": {"ko": "결정 지연 (이벤트 → 주문 의도), CatBoost 타워", "en": "decision latency (event -> order intent), CatBoost tower"},
}
