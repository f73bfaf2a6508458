"""Messages of `scalp data` and `scalp bench replay`."""
MESSAGES = {
    "cmd.data": {"ko": "시장 데이터: info (마켓·기간·행 수·품질), import --from <디렉터리> (저장소로 적재), "
                       "download (Upbit REST 기록 받기)",
                 "en": "market data: info (markets, spans, rows, quality), import --from <dir> (load into a store), "
                       "download (Upbit REST history)"},
    "data.usage": {"ko": "사용법: scalp data info [--json] [오버라이드...] | scalp data import --from <디렉터리> "
                         "[--markets A,B] [store=...] | scalp data download markets=[...] download.start=... "
                         "[download.*=...]",
                   "en": "usage: scalp data info [--json] [overrides...] | scalp data import --from <dir> "
                         "[--markets A,B] [store=...] | scalp data download markets=[...] download.start=... "
                         "[download.*=...]"},
    "data.info.header": {"ko": "데이터: {where} ({source}) · 마켓 {n}개 · 이벤트 {events}개",
                         "en": "data: {where} ({source}) · {n} markets · {events} events"},
    "data.info.columns": {"ko": "{market:<12} {kind:<7} {rows:>8}  {first:<19}  {last:<19}  {detail}",
                          "en": "{market:<12} {kind:<7} {rows:>8}  {first:<19}  {last:<19}  {detail}"},
    "data.info.col_names": {"ko": "마켓|종류|행 수|처음 (UTC)|마지막 (UTC)|비고",
                            "en": "market|kind|rows|first (UTC)|last (UTC)|detail"},
    "data.info.interval": {"ko": "{s}초 봉", "en": "{s}s bars"},
    "data.info.levels": {"ko": "{n}호가", "en": "{n} levels"},
    "data.info.quality": {"ko": "품질: 잘못된 행 {bad_rows} (건너뜀) · 교차 호가 {crossed_books} (제거) · 순서 교정 "
                                "{unsorted_fixed} · 중복 체결 {duplicate_trades} · 중복 봉 {duplicate_candles} · "
                                "조용한 분 {quiet_minutes} (정상) · 긴 공백 {long_gaps}",
                          "en": "quality: bad rows {bad_rows} (skipped) · crossed books {crossed_books} (dropped) · "
                                "re-sorted {unsorted_fixed} · duplicate trades {duplicate_trades} · duplicate "
                                "candles {duplicate_candles} · quiet minutes {quiet_minutes} (normal) · long gaps "
                                "{long_gaps}"},
    "data.info.gap": {"ko": "  긴 공백 {market}: {start} -> {end} ({minutes}분)",
                      "en": "  long gap {market}: {start} -> {end} ({minutes} min)"},
    "data.info.more_gaps": {"ko": "  ... 외 {n}개", "en": "  ... and {n} more"},
    "data.info.example": {"ko": "  예: {text}", "en": "  e.g. {text}"},
    "data.info.extra": {"ko": "기본 재생에 쓰이지 않는 파일: 변형 {variants}개, 원시 WS 캡처 {captures}개 "
                              "(feed.tick_source=captures), REST 샘플 {rest}개",
                        "en": "files not replayed by default: {variants} variants, {captures} raw WS captures "
                              "(feed.tick_source=captures), {rest} REST samples"},
    "data.info.empty": {"ko": "{where} 에 데이터가 없습니다", "en": "no market data under {where}"},
    "data.import.start": {"ko": "{src} -> 저장소 {store} 적재 중...", "en": "importing {src} -> store {store}..."},
    "data.import.row": {"ko": "  {market:<12} {kind:<7} {rows:>8}행", "en": "  {market:<12} {kind:<7} {rows:>8} rows"},
    "data.import.done": {"ko": "완료: {rows}행, {markets}개 마켓 ({seconds}초). 이미 있던 행은 건너뜀.",
                         "en": "done: {rows} rows, {markets} markets ({seconds} s). Rows already stored were skipped."},
    "data.import.need_from": {"ko": "--from <디렉터리> 가 필요합니다", "en": "--from <dir> is required"},
    "data.check.path_missing": {"ko": "데이터 경로가 없습니다: {path}", "en": "no such data path: {path}"},
    "data.error": {"ko": "데이터 오류: {detail}", "en": "data error: {detail}"},
    "bench.replay.row": {"ko": "{name:<22} 이벤트 {events:>9}  {eps:>12} 이벤트/초 (중앙값, {runs}회)",
                         "en": "{name:<22} events {events:>9}  {eps:>12} events/s (median of {runs})"},
    "bench.replay.missing": {"ko": "건너뜀 {name}: {path} 없음", "en": "skipped {name}: {path} not found"},
}
MESSAGES["bench.replay.backtest"] = {"ko": "기본 scalp backtest 실행 시간: {wall_s:.1f}초",
                                     "en": "default scalp backtest wall time: {wall_s:.1f} s"}
MESSAGES["backtest.data_dropped"] = {
    "ko": "데이터에서 제외된 행: 잘못된 행 {bad_rows}개, 이상치 가격 {outliers}개 (feed.on_bad_row, feed.outlier; "
          "요약의 데이터 품질 참고)",
    "en": "rows left out of the data: {bad_rows} bad rows, {outliers} outlier prices (feed.on_bad_row, "
          "feed.outlier; see data quality in the summary)"}
