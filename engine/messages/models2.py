"""Messages of the sequence/HFP towers, learned fusion and drift checks (MODELS2)."""
MESSAGES = {
    "check.tower_needs_ticks": {
        "ko": "타워 '{tower}'는 {needs} 데이터가 필요하지만 피드 '{feed}'는 {provides}만 제공합니다 "
              "(마켓 {markets}); 틱 데이터가 있는 피드를 쓰거나 이 타워를 빼세요",
        "en": "tower '{tower}' needs {needs} data but feed '{feed}' provides only {provides} "
              "(markets {markets}); use a feed with tick data or drop this tower"},
    "check.feed_no_data": {"ko": "데이터 없음", "en": "no data"},
    "check.feed_unreadable": {
        "ko": "피드가 제공하는 데이터 종류를 확인할 수 없습니다: {detail}",
        "en": "cannot tell which data kinds the feed provides: {detail}"},
    "bench.seq.fold": {
        "ko": "{tower} 폴드 {fold}: 학습 {train_rows}행 {fit_s}초 · 테스트 {test_rows}행 양성비 {positive_rate} "
              "AUC {auc} ECE {calibration_ece} · 드리프트 KS최대 {drift_ks_max} 이동특성 {drift_features_shifted}",
        "en": "{tower} fold {fold}: fit {train_rows} rows in {fit_s} s · test {test_rows} rows positive rate "
              "{positive_rate} AUC {auc} ECE {calibration_ece} · drift KS max {drift_ks_max}, "
              "{drift_features_shifted} features shifted"},
    "bench.seq.row": {
        "ko": "{tower}: 학습 {train_rows}행 x 특성 {features}개, {epochs} 에포크 ({windows_per_epoch} 윈도) {fit_s}초 · "
              "예측 {predict_rows}행 {predict_s}초 · 재귀 스텝 p50 {p50_us}µs p99 {p99_us}µs (CPU p99 {cpu_p99_us}µs, "
              "{steps}회) · {machine}",
        "en": "{tower}: fit {train_rows} rows x {features} features, {epochs} epochs ({windows_per_epoch} windows) "
              "in {fit_s} s · predict {predict_rows} rows in {predict_s} s · recurrent step p50 {p50_us} µs "
              "p99 {p99_us} µs (CPU time p99 {cpu_p99_us} µs, {steps} steps) · {machine}"},
}
