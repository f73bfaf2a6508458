"""Messages of `scalp bench faults`."""
MESSAGES = {
    "bench.faults.summary": {
        "ko": "장애 주입 {total}건 · 좀비 주문 {zombies} · 중복 주문 {duplicates} · 누락 체결 {lost} · 잔고 불일치 "
              "{mismatches} · 서버 418 {s418} · 트레이스백 {tracebacks} ({wall}초)",
        "en": "faults injected {total} · zombie orders {zombies} · duplicate orders {duplicates} · lost fills {lost} · "
              "balance mismatches {mismatches} · server 418s {s418} · tracebacks {tracebacks} ({wall} s)"},
    "bench.faults.nonzero": {"ko": "결함: {figure} = {n}", "en": "defect: {figure} = {n}"},
    "bench.faults.no_orders": {"ko": "봇이 거래소에 주문을 하나도 내지 않음: 수치가 아무것도 재지 않음",
                               "en": "the bots placed no order on the exchange: the figures measure nothing"},
    "bench.faults.short": {"ko": "장애 {n}건만 주입함 (목표 {want}건, --duration-s {seconds}초에 멈춤)",
                           "en": "injected only {n} faults of {want} (stopped by --duration-s {seconds} s)"},
    "bench.faults.failed": {"ko": "장애 스위트를 실행하지 못함: {detail} (작업 폴더 {work})",
                            "en": "the fault suite could not run: {detail} (work folder {work})"},
}
