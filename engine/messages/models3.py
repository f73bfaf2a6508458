"""Messages of the walk-forward ensemble (several towers + fusion), drift reporting and the feature_drift switch."""
MESSAGES = {
    "wf.towers": {"ko": "타워 {towers} · 결합 {fusion} · 가중치 {weights} (지표는 결합 확률 기준, auc_<타워>는 타워 단독)",
                  "en": "towers {towers} · fusion {fusion} · weights {weights} (metrics on the fused P(up); auc_<tower> = that tower alone)"},
    "wf.skipped": {"ko": "타워 {tower} 제외: {reason}", "en": "tower {tower} left out: {reason}"},
    "wf.dsr": {"ko": "디플레이티드 샤프 비율 {dsr} (폴드 {trials}개를 시행 횟수로)",
               "en": "deflated Sharpe ratio {dsr} (the {trials} folds counted as trials)"},
    "wf.dsr_note": {"ko": "디플레이티드 샤프: 폴드별 시간당 테스트 샤프 평균을, 폴드 수만큼 시도했을 때 운으로 기대되는 최고 샤프로 "
                          "할인한 값 (Bailey & López de Prado; 관측 = 테스트 시간 수). 참 샤프 > 0 일 확률이며 0.95 미만이면 실력의 증거 없음; 거래가 없으면 –",
                    "en": "deflated Sharpe: the folds' mean hourly test Sharpe, deflated by the best Sharpe that as many luck-only trials "
                          "would show (Bailey & López de Prado; observations = test hours). P(true Sharpe > 0); below 0.95 = no evidence of skill; – without trades"},
    "wf.drift_note": {"ko": "ks_max / drift_sh: 피처별 2표본 KS (테스트 구간 vs 학습 구간; 이동 = p < 0.01 이고 KS ≥ 0.1) · "
                            "ece_recent: 마지막 500개 테스트 결과에 대한 결합 확률의 10구간 ECE (실거래에서 calibration_error 킬 스위치가 읽는 값)",
                      "en": "ks_max / drift_sh: two-sample KS per feature (test window vs training window; shifted = p < 0.01 and KS >= 0.1) · "
                            "ece_recent: 10-bin ECE of the fused P(up) on the last 500 test outcomes (what the calibration_error kill switch reads live)"},
    "killswitch.feature_drift": {
        "ko": "피처 분포 이동: 피처 {share_pct:.0f}%가 학습 구간과 다름 (한도 {limit_pct:.0f}%), 최대 KS {ks_max:.2f}: 진입 중단, 모델 재학습 필요",
        "en": "feature drift: {share_pct:.0f}% of features differ from the training window (limit {limit_pct:.0f}%), "
              "max KS {ks_max:.2f}: entries blocked, retrain the model"},
    "train.use_many": {"ko": "사용 (학습 때와 같은 오버라이드, 학습 구간 이후 데이터): scalp backtest towers=[{towers}] {paths} feed.start={after}",
                       "en": "use them (same overrides as for training, data after their span): scalp backtest towers=[{towers}] {paths} feed.start={after}"},
    "train.use_after_end": {
        "ko": "사용 (학습 때와 같은 오버라이드, feed.end={end} 이후 데이터): scalp backtest towers=[{towers}] {paths} "
              "feed.start={after} feed.end=null",
        "en": "use them (same overrides as for training, on the data after feed.end={end}): scalp backtest "
              "towers=[{towers}] {paths} feed.start={after} feed.end=null"},
    "train.no_follow_up": {
        "ko": "학습 구간 뒤에 남은 데이터가 {left_min}분뿐이라 백테스트할 구간이 없습니다. 마지막 5분의 1을 남기려면: "
              "scalp train feed.end={cut}  (같은 오버라이드로) 그다음 scalp backtest towers=[{towers}] "
              "towers.<타워>.model_path=<저장된 모델> feed.start={cut}",
        "en": "only {left_min} minutes of data follow the training span: no backtest to suggest. To keep the last fifth "
              "out of training: scalp train feed.end={cut}  (same overrides), then scalp backtest towers=[{towers}] "
              "towers.<tower>.model_path=<saved model> feed.start={cut}"},
    "bench.decision.ensemble": {"ko": "결정 지연, catboost + ssm(재귀) + regime + 가중 결합",
                                "en": "decision latency, catboost + ssm (recurrent) + regime + weighted fusion"},
}
