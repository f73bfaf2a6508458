"""`scalp risk status|clear` texts and its --help."""
MESSAGES = {
    'cmd.risk': {
        'ko': '킬 스위치: status (상태, 유효한 트립), clear <스위치>|--all (다음 세션의 정지 해제)',
        'en': 'kill switches: status (states, trips in force), clear <switch>|--all (lifts a halt for the next session)'},
    'help.risk.usage': {
        'ko': '사용법: scalp risk status [--json] [mode=live|paper] [오버라이드...] | scalp risk clear <스위치>|--all '
              '[mode=live|paper] [오버라이드...]',
        'en': 'usage: scalp risk status [--json] [mode=live|paper] [overrides...] | scalp risk clear <switch>|--all '
              '[mode=live|paper] [overrides...]'},
    'help.risk.about': {
        'ko': ('다음 paper/live 세션이 저장소에서 복원할 킬 스위치 상태와 유효한 트립을 보여 줍니다 (status; 트립이 있으면 종료 코드 1). '
               'clear 는 한 스위치의 (또는 --all 로 전부의) 트립을 저장소에서 해제하고 JSON 로그 한 줄을 남깁니다. max_drawdown / '
               'daily_loss 해제는 기준 (최고 자산 / 일 시작 자산) 을 마지막 저장된 자산으로 옮깁니다. 실행 중인 세션에는 다음 시작부터 '
               '적용됩니다. 기본 mode 는 live 입니다.'),
        'en': ('shows the kill-switch states and the trips in force that the next paper/live session restores from '
               'the store (status; exit 1 while a trip is in force). clear lifts the trips of one switch (or all '
               'with --all) in the store and writes one JSON log line each; clearing max_drawdown / daily_loss '
               'moves their reference (peak / day-start equity) to the last stored equity. A running session '
               'sees it at its next start. mode defaults to live.')},
    'help.risk.reads': {
        'ko': '  store, killswitches, mode (paper|live; 그 밖은 live), ui.lang',
        'en': '  store, killswitches, mode (paper|live; anything else reads live), ui.lang'},
    'help.risk.examples': {
        'ko': ('  scalp risk status\n  scalp risk status --json mode=paper\n  scalp risk clear max_drawdown   '
               '# 잘못된 정지 해제\n  scalp risk clear --all store.path=outputs/scalp.db'),
        'en': ('  scalp risk status\n  scalp risk status --json mode=paper\n  scalp risk clear max_drawdown   '
               '# lift a false halt\n  scalp risk clear --all store.path=outputs/scalp.db')},
    'riskcmd.status.header': {
        'ko': '리스크 ({namespace}): 상태 {state} · 유효한 트립 {n}개',
        'en': 'risk ({namespace}): state {state} · {n} trips in force'},
    'riskcmd.status.switch': {
        'ko': '  {id:<24} {state}',
        'en': '  {id:<24} {state}'},
    'riskcmd.status.trip': {
        'ko': '      트립 {switch}: {action} · 마켓 {market} · 시작 {since} · 끝 {until} · {reason}',
        'en': '      trip {switch}: {action} · market {market} · since {since} · until {until} · {reason}'},
    'riskcmd.status.hint': {
        'ko': '해제: scalp risk clear <스위치> (또는 --all)',
        'en': 'to clear: scalp risk clear <switch> (or --all)'},
    'riskcmd.state.armed': {'ko': '감시 중', 'en': 'armed'},
    'riskcmd.state.tripped': {'ko': '발동됨', 'en': 'tripped'},
    'riskcmd.state.waiting': {'ko': '가격 대기 중', 'en': 'waiting for prices'},
    'riskcmd.latched': {'ko': '수동 해제까지', 'en': 'until cleared'},
    'riskcmd.while_tripping': {'ko': '조건이 풀릴 때까지', 'en': 'while it trips'},
    'riskcmd.clear.unknown': {
        'ko': "알 수 없는 킬 스위치 '{switch}'{hint}; 설정되었거나 트립이 있는 스위치: {known}",
        'en': "no kill switch '{switch}'{hint}; configured or tripped: {known}"},
    'riskcmd.clear.need_one': {
        'ko': 'clear 에는 스위치 이름 하나 또는 --all 중 하나만 주세요',
        'en': 'clear takes exactly one of: a switch name, --all'},
    'riskcmd.clear.none': {
        'ko': '해제할 트립 없음 ({switch}, {namespace})',
        'en': 'no trip in force to clear ({switch}, {namespace})'},
    'riskcmd.clear.row': {
        'ko': '해제됨 {switch}: {action} · 마켓 {market} · 시작 {since}',
        'en': 'cleared {switch}: {action} · market {market} · since {since}'},
    'riskcmd.clear.rebased': {
        'ko': '  기준 이동 {field}: {old:,.0f} -> {new:,.0f} KRW',
        'en': '  reference moved {field}: {old:,.0f} -> {new:,.0f} KRW'},
    'riskcmd.clear.done': {
        'ko': '트립 {n}개 해제 ({namespace}); 다음 세션은 이 정지 없이 시작합니다',
        'en': '{n} trips cleared ({namespace}); the next session starts without them'},
}
