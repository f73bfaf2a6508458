"""Messages of `scalp data download`."""
MESSAGES = {
    "download.need_start": {"ko": "다운로드할 기간의 시작이 필요합니다 (예: download.start=2025-09-20)",
                            "en": "the download needs a start (e.g. download.start=2025-09-20)"},
    "download.unknown_markets": {"ko": "거래소가 상장하지 않은 마켓: {markets} (상장 {n}개, 예: {known})",
                                 "en": "markets the exchange does not list: {markets} ({n} listed, e.g. {known})"},
    "download.failed": {"ko": "다운로드 실패: {detail}. 받은 부분은 저장되었습니다; 다시 실행하면 이어 받습니다.",
                        "en": "download failed: {detail}. What was fetched is kept; run again to continue."},
    "download.malformed": {"ko": "잘못된 응답 페이지: {endpoint}: {reason}. 받은 부분은 저장되었습니다.",
                           "en": "malformed page from {endpoint}: {reason}. What was fetched is kept."},
    "download.row": {"ko": "{market:<12} {unit:<9} {rows:>8}행 (새 행 {added}) · 버린 중복 {duplicates} · "
                           "체결 없는 구간 {quiet} (원천의 공백) · 받지 못한 구간 {missing} · {first} -> {last}  {file}",
                     "en": "{market:<12} {unit:<9} {rows:>8} rows ({added} new) · duplicates dropped {duplicates} · "
                           "quiet intervals {quiet} (the source's) · spans not downloaded {missing} · "
                           "{first} -> {last}  {file}"},
    "download.missing_span": {"ko": "  받지 못함 {market} {unit}: {start} -> {end}",
                              "en": "  not downloaded {market} {unit}: {start} -> {end}"},
    "download.unreachable": {"ko": "  {market} {unit}: {start} -> {end} 는 거래소가 제공하는 최근 {days}일보다 오래되어 "
                                   "받지 않았습니다",
                             "en": "  {market} {unit}: {start} -> {end} is older than the last {days} days the "
                                   "exchange serves: not fetched"},
    "download.total": {"ko": "합계: 요청 {pages}회 · 받은 행 {rows} · 429 후 대기 {backoffs}회 · 재시도 {retries}회 · "
                             "{seconds}초",
                       "en": "total: {pages} requests · {rows} rows fetched · {backoffs} backoffs after 429 · "
                             "{retries} retries · {seconds} s"},
    "download.stopped": {"ko": "download.max_pages ({n}) 에서 멈췄습니다: 다시 실행하면 빠진 부분만 이어 받습니다",
                         "en": "stopped at download.max_pages ({n}): run again to fetch only what is missing"},
    "download.complete": {"ko": "완료: 요청한 기간을 모두 받았습니다 ({out})",
                          "en": "complete: the whole range is downloaded ({out})"},
    "download.store": {"ko": "저장소 {store} 에 {rows}행 전달 (이미 있던 행은 건너뜀)",
                       "en": "{rows} rows offered to the store {store} (rows it had were skipped)"},
}
