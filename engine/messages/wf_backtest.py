"""Messages of the walk-forward backtest (the default main job)."""
MESSAGES = {
    "backtest.wf.fold": {
        "ko": "폴드 {fold}: {start} → {end} UTC 구간용 모델 학습 완료 (검증 AUC {auc:.3f}, 학습 {train_s:.1f}초)",
        "en": "fold {fold}: models for {start} → {end} UTC fitted (test AUC {auc:.3f}, training {train_s:.1f} s)"},
    "backtest.wf.summary": {
        "ko": "워크포워드: {folds}개 폴드, {start} UTC부터 거래 (그 이전 데이터는 학습·보정에만 사용), 학습 {train_s:.1f}초",
        "en": "walk-forward: {folds} folds, trading from {start} UTC (earlier data only trains and calibrates), "
              "training {train_s:.1f} s"},
}
MESSAGES["backtest.never_warm"] = {
    "ko": "피처가 한 번도 준비(warm-up)되지 않아 결정이 0건입니다 (이벤트 {events}개, 준비 중 건너뜀 {skips}회): "
          "feed.start 를 앞당기거나 feed.end 를 늦춰 데이터를 늘리세요",
    "en": "the features never warmed up: 0 decisions ({events} events, {skips} skipped while warming up); "
          "give the run more data (an earlier feed.start or a later feed.end)"}
MESSAGES["backtest.untrained"] = {
    "ko": "학습되지 않은 타워입니다: towers.{tower}.model_path=<scalp train 결과> 를 주거나, scalp backtest 가 워크포워드로 학습하게 하세요",
    "en": "tower is not trained: give towers.{tower}.model_path=<a scalp train output>, or let scalp backtest walk forward and fit it"}
MESSAGES["backtest.wf.unfittable"] = {
    "ko": "워크포워드가 학습하지 않는 타워입니다 ({why}): towers.{tower}.model_path=<틱 데이터로 학습한 모델> 을 주세요",
    "en": "the walk-forward does not fit this tower ({why}): give towers.{tower}.model_path=<a model trained on tick data>"}
