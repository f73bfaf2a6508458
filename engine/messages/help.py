"""`scalp <command> --help` texts: usage, what it does, config it reads, examples; plus exit codes and flag errors.

CODE holds what reads the same in every language: example command lines and the config keys read."""
MESSAGES = {
    'help.section.about': {
        'ko': '설명:',
        'en': 'what it does:'},
    'help.section.reads': {
        'ko': '읽는 설정:',
        'en': 'config it reads:'},
    'help.section.examples': {
        'ko': '예:',
        'en': 'examples:'},
    'help.section.exit': {
        'ko': '종료 코드:',
        'en': 'exit codes:'},
    'help.exit_codes': {
        'ko': '  0 정상 · 1 검사 실패 · 2 설정 오류 · 3 데이터/피드 오류 · 4 거래소/인증 오류 · 130 중단 (Ctrl-C)',
        'en': ('  0 ok · 1 check failed · 2 config problem · 3 data/feed problem · 4 exchange/auth problem · '
               '130 interrupted (Ctrl-C)')},
    'help.generic.usage': {
        'ko': '사용법: scalp {name} [오버라이드...]',
        'en': 'usage: scalp {name} [overrides...]'},
    'cli.unknown_option': {
        'ko': '알 수 없는 옵션 {flag}',
        'en': 'unknown option {flag}'},
    'cli.not_override': {
        'ko': "'{arg}' 는 오버라이드가 아닙니다 (key=value 형식, 예: seed=7)",
        'en': "'{arg}' is not an override (write key=value, e.g. seed=7)"},
    'cli.interrupted': {
        'ko': '중단됨 (Ctrl-C)',
        'en': 'interrupted (Ctrl-C)'},
    'cli.did_you_mean': {
        'ko': ' (혹시 {options}?)',
        'en': ' (did you mean {options}?)'},
    'cli.job_header': {
        'ko': '── 작업 {num}: {overrides}',
        'en': '── job {num}: {overrides}'},
    'help.backtest.usage': {
        'ko': '사용법: scalp backtest [-m] [오버라이드...]',
        'en': 'usage: scalp backtest [-m] [overrides...]'},
    'help.backtest.about': {
        'ko': ('기록된 데이터를 엔진 루프와 시뮬레이션 거래소로 재생합니다. 학습할 타워가 있으면 워크포워드로 과거에 학습하고 다음 구간을 거래합니다. 요약 표를 출력하고 실행을 '
               '저장하며 마지막 줄에 HTML 보고서 경로를 씁니다.'),
        'en': ('replays recorded data through the engine loop and the simulated exchange. Trainable towers '
               'without a saved model are walked forward: fitted on the past, trading the next window. Prints '
               'a summary table, stores the run and writes the HTML report path as the last line.')},
    'help.backtest.reads': {
        'ko': ('  전체 설정: preset, markets, feed, features, towers, fusion, entry, sizing, exits, killswitches, '
               'exchange, fill_model, store, walkforward, run.out_dir, ui.lang'),
        'en': ('  the whole config: preset, markets, feed, features, towers, fusion, entry, sizing, exits, '
               'killswitches, exchange, fill_model, store, walkforward, run.out_dir, ui.lang')},
    'help.backtest.examples': {
        'ko': ('  scalp backtest\n  scalp backtest markets=[KRW-ETH] walkforward.folds=3\n  scalp backtest '
               'towers=[momentum_rule] entry=prob_threshold   # 학습 없는 규칙 기준선'),
        'en': ('  scalp backtest\n  scalp backtest markets=[KRW-ETH] walkforward.folds=3\n  scalp backtest '
               'towers=[momentum_rule] entry=prob_threshold   # rule baseline, no training')},
    'help.validate.usage': {
        'ko': '사용법: scalp validate [-m] [오버라이드...]',
        'en': 'usage: scalp validate [-m] [overrides...]'},
    'help.validate.about': {
        'ko': ('실행이 받을 설정을 그대로 조합하고 모든 노드·연결·(mode=live 일 때) 실거래 규칙을 검증합니다. 아무것도 시작하지 않습니다. 문제마다 `경로  메시지` 한 '
               '줄을 stderr 에 씁니다.'),
        'en': ('composes exactly the config a run gets and validates every node, link and (with mode=live) '
               'live rule. Starts nothing. Each problem is one `dotted.path  message` line on stderr.')},
    'help.validate.reads': {
        'ko': '  전체 설정 (mode=live 이면 거래소 키 환경 변수도)',
        'en': '  the whole config (with mode=live also the exchange key variables)'},
    'help.report.usage': {
        'ko': '사용법: scalp report <실행 id|latest> [store=... store.path=...]',
        'en': 'usage: scalp report <run id|latest> [store=... store.path=...]'},
    'help.report.about': {
        'ko': '저장된 실행의 HTML 보고서를 저장소에서 다시 만듭니다.',
        'en': "rebuilds a stored run's HTML report from the store."},
    'help.components.usage': {
        'ko': '사용법: scalp components [종류] [--json]',
        'en': 'usage: scalp components [KIND] [--json]'},
    'help.components.about': {
        'ko': '등록된 컴포넌트를 파라미터·기본값·범위·설명·필요 이벤트와 함께 보여 줍니다. --json 은 stdout 에 JSON 만 씁니다.',
        'en': ('lists registered components with params, defaults, bounds, docs and needed event types. '
               '--json writes only JSON on stdout.')},
    'help.components.reads': {
        'ko': '  설정 없음 (plugins=[...] 로 추가 모듈)',
        'en': '  no config (extra modules via plugins=[...])'},
    'help.train.usage': {
        'ko': '사용법: scalp train [--json] [--cal-days N ...] [오버라이드...]',
        'en': 'usage: scalp train [--json] [--cal-days N ...] [overrides...]'},
    'help.train.about': {
        'ko': ('설정된 타워를 학습하고 마지막 구간 (walkforward.cal_days) 에서 보정한 뒤 서명과 함께 저장합니다 (학습하는 타워 모두: '
               'regime 포함). 저장된 모델로 학습 구간 이후를 백테스트하는 후속 명령을 출력합니다. --cal-days N 같은 옵션은 '
               'walkforward.cal_days=N 의 줄임입니다.'),
        'en': ('fits the configured towers, calibrates them on the last window (walkforward.cal_days) and '
               'saves each tower it fits (regime included) with its signature. Prints a follow-up command that '
               'backtests the data after the training span. Flags such as --cal-days N are short for '
               'walkforward.cal_days=N.')},
    'help.train.examples': {
        'ko': ('  scalp train\n  scalp train feed.end=2024-06-20   # 마지막 구간은 백테스트용으로 남김\n  scalp train '
               'towers=[catboost,regime] --json'),
        'en': ('  scalp train\n  scalp train feed.end=2024-06-20   # keep the last days for a backtest\n  '
               'scalp train towers=[catboost,regime] --json')},
    'help.walkforward.usage': {
        'ko': '사용법: scalp walkforward [--json] [--folds N ...] [오버라이드...]',
        'en': 'usage: scalp walkforward [--json] [--folds N ...] [overrides...]'},
    'help.walkforward.about': {
        'ko': ('퍼지된 워크포워드: 폴드마다 학습 → 보정 → 테스트, 무작위 진입 기준선과 비교합니다. 설정은 walkforward.* '
               '하나뿐이며 (backtest·train·leakcheck 와 같음), --folds N 같은 옵션은 walkforward.folds=N 의 줄임입니다.'),
        'en': ('purged walk-forward: train -> calibrate -> test per fold, compared with a random-entry baseline. '
               'Its settings are the walkforward.* node, the same one backtest, train and leakcheck read; flags '
               'such as --folds N are short for walkforward.folds=N.')},
    'help.leakcheck.usage': {
        'ko': '사용법: scalp leakcheck [--json] [--folds N ...] [오버라이드...]',
        'en': 'usage: scalp leakcheck [--json] [--folds N ...] [overrides...]'},
    'help.leakcheck.about': {
        'ko': ('워크포워드를 정직하게 한 번, 레이블을 피처에 흘려서 한 번 실행해 하네스가 누설을 잡는지 확인합니다 (잡지 못하면 종료 코드 1). '
               'walkforward.* 설정을 따르되 폴드는 walkforward.folds (또는 --folds) 를 주지 않으면 2 개입니다.'),
        'en': ('runs the walk-forward honestly and with the label leaked into the features, and checks the '
               'harness sees the leak (exit 1 when it does not). Reads the walkforward.* settings; 2 folds '
               'unless walkforward.folds (or --folds) is given.')},
    'help.data.usage': {
        'ko': ('사용법: scalp data info [--json] [오버라이드...] | scalp data import --from <디렉터리> [--markets A,B] '
               '[store=...] | scalp data download [--json] markets=[...] download.start=... [download.*=...]'),
        'en': ('usage: scalp data info [--json] [overrides...] | scalp data import --from <dir> [--markets '
               'A,B] [store=...] | scalp data download [--json] markets=[...] download.start=... [download.*=...]')},
    'help.data.about': {
        'ko': ('데이터의 마켓·기간·행 수·공백·품질을 보여 주거나 (info), CSV 폴더를 저장소로 적재하거나 (import), Upbit REST 의 '
               '캔들 (seconds, minutes1|3|5|10|15|30|60|240, days) 과 최근 7일 체결 (trades) 을 download.out 폴더에 '
               'shared/data/upbit 와 같은 배치로 받습니다 (download). 다운로드는 to/count 로 페이지를 넘기고, 클라이언트의 '
               '속도 제한을 지키며 429 에는 물러서고 418 에는 멈춥니다. 다시 실행하면 빠진 구간만 받고 중복은 버립니다. 끝에 품질 '
               '보고 (행 수, 버린 중복, 원천의 공백, 받지 못한 구간) 를 출력합니다. 알 수 없는 마켓·잘못된 기간은 2, 거래소 '
               '오류·잘못된 응답은 4.'),
        'en': ('shows markets, spans, rows, gaps and quality counts (info), loads a CSV folder into a store '
               '(import), or fetches Upbit REST candles (seconds, minutes1|3|5|10|15|30|60|240, days) and the last '
               "7 days' trades (trades) into download.out, laid out like shared/data/upbit (download). The download "
               'pages with to/count, keeps to the client rate limiter, backs off on 429 and stops on 418; a re-run '
               'fetches only the missing spans and drops duplicates; it ends with a quality report (rows, '
               'duplicates dropped, the source\'s quiet intervals, spans not downloaded). Unknown markets or a bad '
               'range exit 2, exchange errors or malformed pages 4.')},
    'help.exchange_server.usage': {
        'ko': '사용법: scalp exchange-server [--config server.yaml] [키=값...]',
        'en': 'usage: scalp exchange-server [--config server.yaml] [key=value...]'},
    'help.exchange_server.about': {
        'ko': ('127.0.0.1 에서 Upbit 호환 REST + WebSocket 서버를 실행합니다 (기록 데이터 재생, 시뮬레이터 체결). paper 와 live 를 다른 '
               '터미널에서 이 서버에 연결해 시험합니다. Ctrl-C 로 종료.'),
        'en': ('runs an Upbit-compatible REST + WebSocket server on 127.0.0.1 (replayed data, simulated '
               'matching). Point paper and live at it from another terminal. Ctrl-C stops it.')},
    'help.exchange_server.reads': {
        'ko': ('  자체 키: port=8765 source.kind=capture|store|candles source.path=DIR source.speed=10 '
               'source.markets=[KRW-ADA] faults.latency_ms=50 faults.ws_drop_every_s=30 '
               'faults.error_5xx_rate=0.01 faults.storm_429_rate=0.2 ui.lang'),
        'en': ('  its own keys: port=8765 source.kind=capture|store|candles source.path=DIR source.speed=10 '
               'source.markets=[KRW-ADA] faults.latency_ms=50 faults.ws_drop_every_s=30 '
               'faults.error_5xx_rate=0.01 faults.storm_429_rate=0.2 ui.lang')},
    'help.record.usage': {
        'ko': '사용법: scalp record [--duration-s N] [--flush-every N] [오버라이드...]',
        'en': 'usage: scalp record [--duration-s N] [--flush-every N] [overrides...]'},
    'help.record.about': {
        'ko': 'Upbit WebSocket 의 체결·호가를 저장소에 기록합니다 (재연결 때 중복·누락 없음).',
        'en': ('records Upbit WebSocket trades and books into the store (no loss or duplicates across '
               'reconnects).')},
    'help.paper.usage': {
        'ko': '사용법: scalp paper [--duration-s N] [오버라이드...]',
        'en': 'usage: scalp paper [--duration-s N] [overrides...]'},
    'help.paper.about': {
        'ko': ('실시간 시세 + 시뮬레이터 체결로 같은 엔진 루프를 실행합니다. 기본 피드는 Upbit; 로컬 서버는 다른 터미널에서 `scalp exchange-server` 를 '
               '먼저 실행하고 feed.url 을 그 주소로 주세요. Ctrl-C 또는 run.duration_s 로 종료.'),
        'en': ('runs the same engine loop on live market data with simulated fills. The default feed is '
               'Upbit; for the local server start `scalp exchange-server` in another terminal first and set '
               'feed.url to it. Stops on Ctrl-C or after run.duration_s.')},
    'help.paper.reads': {
        'ko': ('  전체 설정 (feed=upbit_ws, run.duration_s)\n'
               '  알림: alerts=[log,webhook,telegram], alerting.* (이벤트, 속도 제한, 재시도); 로그: logging.* (하트비트, 로테이션)\n'
               '  환경 변수: SCALP_ALERT_WEBHOOK_URL, SCALP_TELEGRAM_BOT_TOKEN, SCALP_TELEGRAM_CHAT_ID'),
        'en': ('  the whole config (feed=upbit_ws, run.duration_s)\n'
               '  alerts: alerts=[log,webhook,telegram], alerting.* (events, rate limit, retries); logs: logging.* '
               '(heartbeat, rotation)\n'
               '  environment: SCALP_ALERT_WEBHOOK_URL, SCALP_TELEGRAM_BOT_TOKEN, SCALP_TELEGRAM_CHAT_ID')},
    'help.live.usage': {
        'ko': '사용법: scalp live [--duration-s N] [오버라이드...]',
        'en': 'usage: scalp live [--duration-s N] [overrides...]'},
    'help.live.about': {
        'ko': ('실제 주문으로 거래합니다. `scalp validate mode=live` 와 같은 검사를 통과해야만 시작하고, 종료할 때 열린 주문을 취소합니다. 키는 환경 변수 '
               'UPBIT_ACCESS_KEY / UPBIT_SECRET_KEY 에서만 읽습니다. 시작 조건 (live.gates: 같은 서명의 walk-forward 와 '
               '모의 거래 세션) 이 저장소에 없으면 충족되지 않은 조건을 측정값과 함께 나열하고 종료 코드 1 로 거부합니다.'),
        'en': ('trades with real orders. Starts only after the checks of `scalp validate mode=live` pass; '
               'cancels open orders on exit. Keys come only from UPBIT_ACCESS_KEY / UPBIT_SECRET_KEY. Without '
               'the go-live evidence in the store (live.gates: a walk-forward and a paper session of the same '
               'trading signature) it refuses with exit 1, listing each unmet gate with its measured value.')},
    'help.live.reads': {
        'ko': ('  전체 설정 (exchange=upbit, killswitches, run.duration_s)\n'
               '  알림: alerts=[log,webhook,telegram], alerting.*; 로그: logging.* (scalp paper --help 참고)'),
        'en': ('  the whole config (exchange=upbit, killswitches, run.duration_s)\n'
               '  alerts: alerts=[log,webhook,telegram], alerting.*; logs: logging.* (see scalp paper --help)')},
    'help.cancel_all.usage': {
        'ko': '사용법: scalp cancel-all [오버라이드...]',
        'en': 'usage: scalp cancel-all [overrides...]'},
    'help.cancel_all.about': {
        'ko': '설정된 거래소의 열린 주문을 모두 취소하고 각각을 출력합니다.',
        'en': 'cancels every open order on the configured exchange and prints each one.'},
    'help.cancel_all.reads': {
        'ko': '  exchange (base_url, 키 환경 변수)',
        'en': '  exchange (base_url, key variables)'},
    'help.bench.usage': {
        'ko': '사용법: scalp bench <이름> [--json]',
        'en': 'usage: scalp bench <name> [--json]'},
    'help.bench.about': {
        'ko': '벤치마크를 실행합니다 (engine/bench/<이름>.py). --json 은 stdout 에 JSON 만 씁니다.',
        'en': 'runs a benchmark (engine/bench/<name>.py). --json writes only JSON on stdout.'},
    'help.bench.reads': {
        'ko': '  벤치마크마다 다름 (대부분 설정 없음)',
        'en': '  depends on the benchmark (most read no config)'},
}

CODE = {
    'validate': {
        'examples': ('  scalp validate preset=alts\n  scalp validate -m preset=majors,alts,emerging\n  scalp '
                     'validate mode=live exchange=upbit'),
    },
    'report': {
        'reads': '  store, run.out_dir, ui.lang',
        'examples': '  scalp report latest\n  scalp report 12 store.path=outputs/scalp.db',
    },
    'components': {
        'examples': '  scalp components\n  scalp components killswitch\n  scalp components exit --json',
    },
    'train': {
        'reads': ('  markets, feed (feed.start/feed.end), features, labels, towers, fusion, walkforward.cal_days, '
                  'walkforward.embargo_ms, walkforward.stride_bars, walkforward.seed'),
    },
    'walkforward': {
        'reads': '  walkforward.*, markets, feed, features, labels, towers, fusion',
        'examples': ('  scalp walkforward\n  scalp walkforward walkforward.folds=3 --json   # = --folds 3\n'
                     '  scalp walkforward towers=[catboost,regime] walkforward.test_days=1'),
    },
    'leakcheck': {
        'reads': '  walkforward.*, markets, feed, features, labels, towers',
        'examples': '  scalp leakcheck\n  scalp leakcheck --json markets=[KRW-ETH] walkforward.folds=3',
    },
    'data': {
        'reads': '  feed (info), store (import), markets + download.* (download)',
        'examples': ('  scalp data info\n  scalp data info --json feed.path=/data/upbit\n  scalp data import '
                     '--from /data/upbit --markets KRW-BTC,KRW-ETH store.path=outputs/my.db\n'
                     '  scalp data download markets=[KRW-BTC,KRW-ETH] download.start=2025-09-01 '
                     'download.end=2025-09-08 download.units=[minutes1,days]\n'
                     '  scalp data info feed.path=outputs/data/upbit'),
    },
    'exchange_server': {
        'examples': ('  scalp exchange-server\n  scalp exchange-server port=9000 source.speed=50\n  scalp '
                     'exchange-server faults.ws_drop_every_s=30'),
    },
    'record': {
        'reads': '  markets, feed (upbit_ws: feed.url), store',
        'examples': ('  scalp record markets=[KRW-BTC] --duration-s 600\n  scalp record feed=upbit_ws '
                     'feed.url=ws://127.0.0.1:8765/websocket/v1 store.path=outputs/rec.db'),
    },
    'paper': {
        'examples': ('  scalp paper feed=upbit_ws --duration-s 600\n  scalp paper feed=upbit_ws '
                     'feed.url=ws://127.0.0.1:8765/websocket/v1 markets=[KRW-ADA]'),
    },
    'live': {
        'examples': ('  scalp validate mode=live exchange=upbit\n  scalp live exchange=upbit feed=upbit_ws '
                     '--duration-s 3600'),
    },
    'cancel_all': {
        'examples': ('  scalp cancel-all exchange=upbit\n  scalp cancel-all exchange=upbit '
                     'exchange.base_url=http://127.0.0.1:8765'),
    },
    'bench': {
        'examples': '  scalp bench replay\n  scalp bench matching --json\n  scalp bench decision',
    },
    'reconcile': {
        'examples': '  scalp reconcile exchange=upbit\n  scalp reconcile exchange=upbit --json',
    },
}
