"""Messages of `scalp leakcheck` (its five checks) and of the trial-count / sample-size guards."""
MESSAGES = {
    "leakcheck.title": {"ko": "누설 검사 — 시장 {markets}, 폴드 {folds}개", "en": "leak check — markets {markets}, {folds} folds"},
    "leakcheck.col_check": {"ko": "검사", "en": "check"},
    "leakcheck.col_result": {"ko": "결과", "en": "result"},
    "leakcheck.col_numbers": {"ko": "수치", "en": "numbers"},
    "leakcheck.col_culprits": {"ko": "원인", "en": "culprits"},
    "leakcheck.pass": {"ko": "통과", "en": "PASS"},
    "leakcheck.fail": {"ko": "실패", "en": "FAIL"},
    "leakcheck.info": {"ko": "참고", "en": "INFO"},
    "leakcheck.name.alignment": {"ko": "a. 정렬 (t 이후 데이터 변경)", "en": "a. alignment (data after t perturbed)"},
    "leakcheck.name.null": {"ko": "b. 섞은 레이블 귀무", "en": "b. shuffled-label null"},
    "leakcheck.name.volatility": {"ko": "c. 변동성 기준", "en": "c. volatility reference"},
    "leakcheck.name.probe": {"ko": "d. 레이블 열 탐침", "en": "d. label-as-column probe"},
    "leakcheck.name.warmup": {"ko": "e. 워밍업 의존성", "en": "e. warm-up dependence"},
    "leakcheck.verdict_pass": {"ko": "통과: 모든 검사가 누설을 찾지 못했습니다", "en": "PASS: no check found a leak"},
    "leakcheck.verdict_fail": {"ko": "실패: {checks} — {culprits}", "en": "FAIL: {checks} — {culprits}"},
    "trials.dsr": {"ko": "디플레이티드 샤프 비율 {dsr} (N = {trials}: 저장소에서 겹치는 데이터 구간의 서로 다른 시행; "
                          "시간당 수익률 왜도 {skew}, 첨도 {kurt}) · 연율 샤프 {sharpe}",
                   "en": "deflated Sharpe ratio {dsr} (N = {trials} distinct trials on an overlapping data span, from "
                         "the store; hourly returns skew {skew}, kurtosis {kurt}) · annualised Sharpe {sharpe}"},
    "trials.dsr_note": {
        "ko": "디플레이티드 샤프: 이 실행의 시간당 테스트 수익률 샤프를, 같은 구간에서 시도한 서로 다른 설정 N개 중 운으로 기대되는 "
              "최고 샤프로 깎은 값 (Bailey & López de Prado 2014; 왜도·첨도 반영). P(참 샤프 > 0); 0.95 미만 = 실력의 증거 없음",
        "en": "deflated Sharpe: this run's hourly test-return Sharpe, deflated by the best Sharpe that the N distinct "
              "configurations tried on the same span would show by luck (Bailey & López de Prado 2014; skew and "
              "kurtosis included). P(true Sharpe > 0); below 0.95 = no evidence of skill"},
    "trials.dsr_label": {"ko": "디플레이티드 샤프", "en": "Deflated Sharpe"},
    "trials.dsr_value": {"ko": "{dsr} (N = 시행 {trials}개, 저장소 기준)", "en": "{dsr} (N = {trials} trials, from the store)"},
    "trials.na_small": {"ko": "n/a (거래 {n} < {min}건)", "en": "n/a (n < {min} trades; {n})"},
}
