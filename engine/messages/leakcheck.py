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
    "trials.na_small": {"ko": "n/a (거래 {n} < {min}건)", "en": "n/a (n < {min} trades; {n})"},
}
