"""Messages of the Upbit connectivity commands: exchange-server and record."""
MESSAGES = {
    "cmd.exchange_server": {"ko": "로컬 Upbit 호환 거래소 서버 실행 (127.0.0.1, 재생 데이터 + 시뮬레이터 체결)",
                            "en": "run the local Upbit-compatible exchange server (127.0.0.1, replayed data, sim matching)"},
    "cmd.record": {"ko": "Upbit WebSocket 체결/호가를 저장소에 기록 (재연결 시 중복·누락 없음)",
                   "en": "record Upbit WebSocket trades/books into the store (no loss or duplicates on reconnect)"},
    "server.started": {"ko": "거래소 서버: REST {base} · WS {ws} · 마켓 {n}개 · 데이터 {source}{synthetic} · 액세스 키 {keys}",
                       "en": "exchange server: REST {base} · WS {ws} · {n} markets · data {source}{synthetic} · access keys {keys}"},
    "server.synthetic": {"ko": " (캔들에서 만든 합성 체결)", "en": " (SYNTHETIC trades expanded from candles)"},
    "server.bad_data": {"ko": "서버 데이터 오류: {detail}", "en": "server data problem: {detail}"},
    "server.bad_config": {"ko": "서버 설정 오류: {detail}", "en": "server config problem: {detail}"},
    "record.progress": {"ko": "기록 중: 체결 {trades} · 호가 {books} · 재연결 {reconnects} · 중복 제거 {dups}",
                        "en": "recording: trades {trades} · books {books} · reconnects {reconnects} · duplicates dropped {dups}"},
    "record.done": {"ko": "기록 완료: 체결 {trades} · 호가 {books} · 재연결 {reconnects} · 보충 {backfilled} → {store}",
                    "en": "recorded: trades {trades} · books {books} · reconnects {reconnects} · backfilled {backfilled} -> {store}"},
}
