"""Messages of the engine's own settings nodes (engine/settings.py): one per kind of invalid value."""
MESSAGES = {
    "settings.unknown_key": {"ko": "알 수 없는 키; 가능한 키: {known}", "en": "unknown key; known: {known}"},
    "settings.market_code": {"ko": "{market}: 업비트 마켓 코드가 아닙니다 (예: KRW-BTC)",
                             "en": "{market} is not an Upbit market code like KRW-BTC"},
    "settings.live_min_order": {"ko": "live 모드에서는 업비트 최소 주문 금액 {min_krw:,.0f}원 미만일 수 없습니다",
                                "en": "cannot be below Upbit's minimum order of {min_krw:,.0f} KRW in live mode"},
    "settings.market_twice": {"ko": "{market}: 두 번 이상 나열되었습니다", "en": "{market} is listed more than once"},
}
MESSAGES.update({       # engine/checks/required.py
    "settings.required_node": {"ko": "{group} 설정이 필요합니다 (삭제할 수 없음; 다른 옵션을 고르세요: {group}=...)",
                               "en": "{group} is required (it cannot be deleted; pick another option: {group}=...)"},
    "settings.bad_url": {"ko": "URL 이 아닙니다: {schemes}://<호스트>[:포트] 형식이어야 합니다",
                         "en": "not a URL: expected {schemes}://<host>[:port]"},
})
