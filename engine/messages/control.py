"""Messages of operating a running bot: hot reload, `scalp stop`, `scalp runs`, `scalp store`."""
MESSAGES = {
    'control.unknown_path': {
        'ko': '실행 중인 설정에 없는 경로입니다',
        'en': 'no such path in the running config'},
    'control.not_reloadable': {
        'ko': '실행 중에는 바꿀 수 없습니다 (다시 읽을 수 있는 경로: {safe})',
        'en': 'cannot change while running (reloadable paths: {safe})'},
    'control.no_reload_file': {
        'ko': 'control.reload_file 이 설정되지 않았습니다',
        'en': 'control.reload_file is not set'},
    'cmd.stop': {
        'ko': '실행 중인 paper/live 세션을 안전하게 멈춥니다 (SIGTERM 후 최종 상태까지 대기)',
        'en': 'stop a running paper/live session gracefully (SIGTERM, then waits for its final status)'},
    'cmd.runs': {
        'ko': '저장된 실행 목록·상세·정리 (시장 데이터는 건드리지 않음)',
        'en': 'list, show and prune stored runs and their report folders (market data untouched)'},
    'cmd.store': {
        'ko': '저장소 관리: scalp store backup <경로> (실행 중에도 일관된 백업)',
        'en': 'store maintenance: scalp store backup <path> (a consistent copy while sessions run)'},
    'stop.none': {
        'ko': '실행 중인 세션이 없습니다',
        'en': 'no session is running'},
    'stop.no_run': {
        'ko': '실행 {run} 이 저장소에 없습니다 (실행 중: {runs})',
        'en': 'no run {run} in the store (running: {runs})'},
    'stop.not_running': {
        'ko': '실행 {run} 은 실행 중이 아닙니다: {runs}',
        'en': 'run {run} is not running: {runs}'},
    'stop.which': {
        'ko': '실행 중인 세션이 여럿입니다: {runs}. 실행 id 또는 --all 을 주세요',
        'en': 'several sessions are running: {runs}. Give a run id or --all'},
    'stop.other_host': {
        'ko': '실행 {run} 은 다른 호스트 ({host}) 에서 실행 중입니다: 그 호스트에서 멈추세요',
        'en': 'run {run} runs on another host ({host}): stop it there'},
    'stop.sending': {
        'ko': '실행 {run} ({mode}, pid {pid}) 에 SIGTERM 을 보냈습니다. 종료를 기다립니다…',
        'en': 'run {run} ({mode}, pid {pid}): SIGTERM sent, waiting for it to finish…'},
    'stop.stopped': {
        'ko': '실행 {run} 종료: 상태 {status}',
        'en': 'run {run} stopped: status {status}'},
    'stop.timeout': {
        'ko': '실행 {run} 이 {seconds} 초 뒤에도 실행 중입니다',
        'en': 'run {run} is still running after {seconds} s'},
    'runs.empty': {
        'ko': '저장된 실행이 없습니다',
        'en': 'no stored runs'},
    'runs.columns': {
        'ko': 'id|모드|상태|시작 (UTC)|길이 s|행 수|체결|이름',
        'en': 'id|mode|status|started (UTC)|duration s|rows|fills|name'},
    'runs.no_run': {
        'ko': '실행 {run} 이 저장소에 없습니다',
        'en': 'no run {run} in the store'},
    'runs.prune_needs': {
        'ko': 'prune 에는 --keep N 또는 --older-than D (예: 7d, 12h) 가 필요합니다',
        'en': 'prune needs --keep N or --older-than D (e.g. 7d, 12h)'},
    'runs.kept': {
        'ko': '유지  실행 {run} ({mode}): {why}',
        'en': 'keep    run {run} ({mode}): {why}'},
    'runs.would_delete': {
        'ko': '삭제 예정  실행 {run} ({mode}, {status}), 보고서 폴더: {dirs}',
        'en': 'would delete run {run} ({mode}, {status}), report folders: {dirs}'},
    'runs.deleting': {
        'ko': '삭제  실행 {run} ({mode}, {status}), 보고서 폴더: {dirs}',
        'en': 'delete  run {run} ({mode}, {status}), report folders: {dirs}'},
    'runs.dry_done': {
        'ko': '--dry-run: 실행 {n} 개를 삭제할 예정이며 아무것도 바꾸지 않았습니다',
        'en': '--dry-run: {n} run(s) would be deleted; nothing changed'},
    'runs.pruned': {
        'ko': '실행 {n} 개, 행 {rows} 개, 보고서 폴더 {dirs} 개를 삭제했습니다',
        'en': 'deleted {n} run(s), {rows} row(s) and {dirs} report folder(s)'},
    'runs.vacuum_skipped': {
        'ko': '--vacuum 생략: 실행 중인 세션이 있습니다 (VACUUM 은 쓰기를 막음). 세션이 없을 때 다시 실행하세요',
        'en': '--vacuum skipped: a session is running (VACUUM blocks its writes); run it again when none is'},
    'runs.vacuumed': {
        'ko': 'VACUUM: 파일 {before} MB -> {after} MB',
        'en': 'VACUUM: file {before} MB -> {after} MB'},
    'store.backup_done': {
        'ko': '백업 완료: {path}',
        'en': 'backup written: {path}'},
    'store.backup_failed': {
        'ko': '백업 실패: {detail}',
        'en': 'backup failed: {detail}'},
    'help.stop.usage': {
        'ko': '사용법: scalp stop [실행 id | --all] [--timeout-s N] [store=... store.path=...]',
        'en': 'usage: scalp stop [RUN_ID | --all] [--timeout-s N] [store=... store.path=...]'},
    'help.stop.about': {
        'ko': ('이 호스트에서 실행 중인 paper/live 세션의 프로세스 (실행 기록의 pid·시작 시각) 에 SIGTERM 을 보내고, 실행이 '
               'running 을 벗어날 때까지 기다려 최종 상태를 출력합니다. id 가 없으면 실행 중인 세션이 하나일 때만 그 세션을 멈춥니다. '
               '종료 코드: 0 모두 done 으로 종료 (또는 실행 중인 세션 없음) · 1 다른 상태로 종료했거나 --timeout-s (기본 60) 뒤에도 '
               '실행 중 · 2 그런 실행 없음, 실행 중 아님, 여러 세션 중 선택 필요, 다른 호스트.'),
        'en': ("sends SIGTERM to the process of a running paper/live session on this host (pid and process start "
               "time from the run record), waits until the run leaves `running` and prints its final status. "
               "Without an id it stops the one running session, if there is exactly one. Exit codes: 0 every "
               "session ended done (or none was running) · 1 one ended in another status or still runs after "
               "--timeout-s (default 60) · 2 no such run, not running, several running without an id, another "
               "host.")},
    'help.stop.examples': {
        'ko': ('  scalp stop                      # 실행 중인 세션이 하나일 때\n  scalp stop 12 store.path=outputs/scalp.db\n'
               '  scalp stop --all --timeout-s 120'),
        'en': ('  scalp stop                      # when exactly one session runs\n  scalp stop 12 '
               'store.path=outputs/scalp.db\n  scalp stop --all --timeout-s 120')},
    'help.runs.usage': {
        'ko': ('사용법: scalp runs list [--json] | show <실행 id|latest> [--json] | prune (--keep N | --older-than D) '
               '[--dry-run] [--vacuum] [store=...]'),
        'en': ('usage: scalp runs list [--json] | show <RUN_ID|latest> [--json] | prune (--keep N | --older-than D) '
               '[--dry-run] [--vacuum] [store=...]')},
    'help.runs.about': {
        'ko': ('저장된 실행을 나열하고 (list), 하나를 자세히 보여 주고 (show: 행 수, 요약, 적용된 설정 재적재), 오래된 실행을 보고서 '
               '폴더 (run.out_dir 안) 와 함께 지웁니다 (prune). 시장 데이터 (candles, trades, books) 는 건드리지 않습니다. '
               '--keep 과 --older-than 을 함께 주면 둘 다 해당하는 실행만 지웁니다. running 실행은 지우지 않으며, live 실행은 '
               '재시작이 그 체결로 포지션을 다시 만들므로 앞선 live 실행과 함께, 그때까지 포지션이 없고 끝난 지 7 일 (Upbit 의 '
               '체결 주문 조회 기간) 이 지났을 때만 지웁니다. '
               '발동 중인 킬 스위치와 trial 은 실행에서 떼어 남깁니다. --vacuum 은 비운 공간을 파일 시스템에 돌려줍니다 '
               '(SQLite VACUUM; 실행 중인 세션이 있으면 생략).'),
        'en': ('lists stored runs (list), shows one (show: rows per table, summary, the reloads applied), and '
               'deletes old runs with their report folders inside run.out_dir (prune). Market data (candles, '
               'trades, books) is never touched. --keep and --older-than together delete only runs matching both. '
               'A running run is never deleted; a live run only together with every earlier live run, only where '
               'the fills up to it leave no position (a restart rebuilds positions from them) and only once it '
               'ended more than 7 days ago (Upbit\'s closed-order window). Kill-switch trips still in force and '
               'trials stay, detached from the run. --vacuum gives the freed space back to the file system '
               '(SQLite VACUUM; skipped while a session runs).')},
    'help.runs.examples': {
        'ko': ('  scalp runs list\n  scalp runs show latest --json\n  scalp runs prune --keep 20 --dry-run   '
               '# 지울 것만 보여 줌\n  scalp runs prune --older-than 30d --vacuum'),
        'en': ('  scalp runs list\n  scalp runs show latest --json\n  scalp runs prune --keep 20 --dry-run   '
               '# only shows what would go\n  scalp runs prune --older-than 30d --vacuum')},
    'help.store.usage': {
        'ko': '사용법: scalp store backup <경로> [store=... store.path=...]',
        'en': 'usage: scalp store backup <path> [store=... store.path=...]'},
    'help.store.about': {
        'ko': ('세션이 쓰는 중에도 일관된 백업을 만듭니다. SQLite 는 백업 API 로 한 파일을 (그대로 store.path 로 열 수 있음), '
               'PostgreSQL 은 pg_dump -Fc 로 (pg_restore 로 복원; PATH 에 없으면 오류) 만듭니다. 있는 파일은 덮어쓰지 않습니다.'),
        'en': ('takes a consistent backup while sessions write: SQLite through its backup API into one file '
               '(open it as store.path), PostgreSQL with pg_dump -Fc (restore with pg_restore; an error if it '
               'is not on PATH). Never overwrites an existing file.')},
    'help.store.examples': {
        'ko': ('  scalp store backup backups/scalp-$(date +%F).db\n  scalp store backup /srv/scalp.dump store=postgres'
               '   # pg_restore 로 복원'),
        'en': ('  scalp store backup backups/scalp-$(date +%F).db\n  scalp store backup /srv/scalp.dump store=postgres'
               '   # restore with pg_restore')},
}
