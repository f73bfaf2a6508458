"""Messages of `scalp retrain`, `scalp models` (the model registry), the live model swap and per-class models."""
MESSAGES = {
    "cmd.retrain": {"ko": "최신 데이터로 재학습; 후보가 배포 모델보다 설정된 차이 이상 나을 때만 승격 (cron 용)",
                    "en": "retrain on the newest data; promote the candidate only if it beats the deployed model by "
                          "the configured margin (cron-friendly)"},
    "cmd.models": {"ko": "모델 레지스트리: 목록, 승격, 이전 배포 모델로 되돌리기",
                   "en": "the model registry: list models, promote one, roll back to the previously deployed one"},
    "help.retrain.usage": {"ko": "사용법: scalp retrain [--json] [오버라이드...]",
                           "en": "usage: scalp retrain [--json] [overrides...]"},
    "help.retrain.about": {
        "ko": ("최신 데이터의 워크포워드 마지막 폴드로 후보 모델을 학습하고, 후보와 배포 모델을 같은 최근 테스트 구간에서 엔진 재생으로 "
               "평가합니다 (비용 차감 후 순손익, 디플레이티드 샤프). 후보는 순손익이 retrain.min_improvement_krw 이상, "
               "둘 다 DSR 이 있으면 DSR 이 retrain.min_improvement_dsr 이상 나을 때만 승격됩니다. 클래스·설정 서명별로 최근 "
               "retrain.keep 개 모델만 남기고, 결과를 설정된 알림 채널로 보냅니다. classes.per_class=true 면 시장 등급마다 "
               "한 모델. 종료 코드: 0 승격, 10 유지 (오류 아님), 2 설정 오류, 3 데이터 오류."),
        "en": ("fits a candidate on the last walk-forward fold of the newest data, then prices the candidate and the "
               "deployed model on that same most recent test window with the engine replay (net PnL after costs, "
               "deflated Sharpe). The candidate is promoted only if its net PnL beats the deployed one's by "
               "retrain.min_improvement_krw and, where both have one, its DSR by retrain.min_improvement_dsr. Keeps "
               "the newest retrain.keep models per class and config signature and sends the outcome to the "
               "configured alert channels. classes.per_class=true: one model per market class. Exit codes: 0 "
               "promoted, 10 kept (not an error), 2 config problem, 3 data problem.")},
    "help.retrain.reads": {"ko": "  retrain.*, walkforward.*, classes.*, towers, entry, feed, store, alerts (설정 노드)",
                           "en": "  retrain.*, walkforward.*, classes.*, towers, entry, feed, store, alerts"},
    "help.retrain.examples": {
        "ko": ("  scalp retrain towers=[catboost]\n  scalp retrain retrain.min_improvement_krw=5000 alerts=[log]\n"
               "  # cron (0 승격 / 10 유지 = 정상): 0 3 * * * cd /srv/scalp && {{ scalp retrain; r=$?; [ $r -eq 0 ] || [ $r -eq 10 ]; }}"),
        "en": ("  scalp retrain towers=[catboost]\n  scalp retrain retrain.min_improvement_krw=5000 alerts=[log]\n"
               "  # cron (0 promoted / 10 kept = fine): 0 3 * * * cd /srv/scalp && {{ scalp retrain; r=$?; [ $r -eq 0 ] || [ $r -eq 10 ]; }}")},
    "help.models.usage": {"ko": "사용법: scalp models list|promote ID|rollback [ID] [--json] [오버라이드...]",
                          "en": "usage: scalp models list|promote ID|rollback [ID] [--json] [overrides...]"},
    "help.models.about": {
        "ko": ("저장소의 모델 레지스트리. list: 모든 모델 (상태 deployed / candidate / retired, 등급, 설정 서명, 생성·승격 시각, "
               "테스트 구간 순손익·거래·DSR). promote ID: 그 모델을 배포 (같은 등급·서명의 이전 모델은 retired). rollback: "
               "설정의 등급·서명 (또는 ID 모델의) 배포 모델을 내리고 그 전에 배포됐던 모델을 다시 배포. 실행 중인 paper/live "
               "세션은 미체결 주문이 없을 때 승격된 모델로 바꿉니다."),
        "en": ("the store's model registry. list: every model (status deployed / candidate / retired, class, config "
               "signature, created and promoted times, test-window net PnL, trades, DSR). promote ID: deploy that "
               "model (the one deployed for its class and signature is retired). rollback: take out the deployed "
               "model of the config's class and signature (or of model ID) and deploy the one deployed before it. "
               "A running paper/live session switches to a promoted model once it has no open order.")},
    "help.models.examples": {"ko": "  scalp models list\n  scalp models promote 3\n  scalp models rollback   # 직전 모델로",
                             "en": "  scalp models list\n  scalp models promote 3\n  scalp models rollback   # the previous model"},
    "retrain.fitted": {"ko": "{cls}: 후보 학습 완료 → {path}", "en": "{cls}: candidate fitted -> {path}"},
    "retrain.promoted": {"ko": "{cls}: 후보 #{id} 승격 (이전 배포 #{deployed}) — 테스트 구간 순손익 {pnl} KRW, 거래 {trades}, "
                               "DSR {dsr}: {why}",
                         "en": "{cls}: candidate #{id} promoted (was deployed: #{deployed}) — test-window net PnL {pnl} "
                               "KRW, {trades} trades, DSR {dsr}: {why}"},
    "retrain.kept": {"ko": "{cls}: 배포 모델 #{deployed} 유지, 후보 #{id} 는 후보로 남음 — 테스트 구간 순손익 {pnl} KRW, 거래 "
                           "{trades}, DSR {dsr}: {why}",
                     "en": "{cls}: deployed model #{deployed} kept, candidate #{id} stays a candidate — test-window net "
                           "PnL {pnl} KRW, {trades} trades, DSR {dsr}: {why}"},
    "retrain.why.first": {"ko": "배포된 모델이 없음 (이 등급·설정 서명의 첫 모델)",
                          "en": "no deployed model yet (the first model of this class and config signature)"},
    "retrain.why.pnl_short": {"ko": "순손익 {cand} vs 배포 {dep} KRW: 차이 {gain} 가 기준 {margin} KRW 미만",
                              "en": "net PnL {cand} vs deployed {dep} KRW: gain {gain} below the margin {margin} KRW"},
    "retrain.why.dsr_short": {"ko": "순손익 차이 {gain} KRW 는 충분하나 DSR {cdsr} vs 배포 {ddsr}: 기준 {dmargin} 미만",
                              "en": "net PnL gain {gain} KRW is enough, but DSR {cdsr} vs deployed {ddsr} is below the "
                                    "margin {dmargin}"},
    "retrain.why.better": {"ko": "순손익 {cand} vs 배포 {dep} KRW: 차이 {gain} ≥ 기준 {margin} KRW (DSR 은 거래가 적어 비교 안 함)",
                           "en": "net PnL {cand} vs deployed {dep} KRW: gain {gain} >= margin {margin} KRW (DSR not "
                                 "compared: too few trades)"},
    "retrain.why.better_dsr": {"ko": "순손익 차이 {gain} ≥ {margin} KRW, DSR {cdsr} vs 배포 {ddsr} (기준 {dmargin})",
                               "en": "net PnL gain {gain} >= {margin} KRW and DSR {cdsr} vs deployed {ddsr} (margin "
                                     "{dmargin})"},
    "retrain.failed": {"ko": "{cls}: 재학습 실패: {detail}", "en": "{cls}: retrain failed: {detail}"},
    "retrain.pruned": {"ko": "보관 개수 초과로 정리된 모델: {ids}", "en": "models pruned (beyond retrain.keep): {ids}"},
    "models.no_store": {"ko": "저장소가 설정되지 않았습니다 (store=sqlite 등) — 모델 레지스트리는 저장소에 있습니다",
                        "en": "no store configured (store=sqlite ...): the model registry lives in the store"},
    "models.header": {"ko": "  id  상태       등급     서명      생성                 승격                   순손익    거래     DSR  경로",
                      "en": "  id  status    class    sig       created              promoted                net_pnl  trades     DSR  path"},
    "models.none": {"ko": "(등록된 모델 없음 — scalp retrain 이 추가합니다)", "en": "(no model yet — scalp retrain adds them)"},
    "models.unknown_id": {"ko": "모델 {id} 이(가) 레지스트리에 없습니다 (scalp models list)",
                          "en": "no model {id} in the registry (scalp models list)"},
    "models.files_gone": {"ko": "모델 {id} 의 파일이 정리되어 배포할 수 없습니다: {path}",
                          "en": "model {id} was pruned; its files are gone: {path}"},
    "models.promoted": {"ko": "모델 #{id} ({cls}) 배포: {path}", "en": "model #{id} ({cls}) deployed: {path}"},
    "models.rolled_back": {"ko": "되돌림: 모델 #{out} 내림, 이전 모델 #{back} ({cls}) 다시 배포: {path}",
                           "en": "rolled back: model #{out} taken out, previous model #{back} ({cls}) deployed again: "
                                 "{path}"},
    "models.no_rollback": {"ko": "{cls}/{sig}: 되돌릴 모델이 없습니다 (배포 모델이 없거나 그 전에 배포된 모델이 없음)",
                           "en": "{cls}/{sig}: nothing to roll back to (no deployed model, or none deployed before it)"},
    "train.class_models": {"ko": "등급별 모델 사용: {overrides}", "en": "use the per-class models: {overrides}"},
    "check.class_model_tower": {"ko": "타워 {tower} 는 towers 에 없습니다 (선택된 타워: {towers})",
                                "en": "tower {tower} is not among the selected towers ({towers})"},
}
