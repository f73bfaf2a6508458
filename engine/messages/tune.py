"""Messages of `scalp tune`: search space grammar errors, progress, the study's report, and its --help."""
MESSAGES = {
    'tune.class': {
        'ko': '클래스 {cls} ({markets}): 이 클래스 마켓만으로 별도 스터디',
        'en': 'class {cls} ({markets}): its own study on this class\'s markets'},
    'cmd.tune': {
        'ko': 'conf/tune/<이름>.yaml 탐색 공간의 Optuna 스터디 (각 시도는 엔진 워크포워드로 평가)',
        'en': 'Optuna study over conf/tune/<name>.yaml, every trial priced by the engine walk-forward'},
    'help.tune.usage': {
        'ko': '사용법: scalp tune tune=<공간> [study=<id>] [n_trials=N] [objective=net_pnl|deflated_sharpe] '
              '[seed=N] [--json] [오버라이드...]',
        'en': 'usage: scalp tune tune=<space> [study=<id>] [n_trials=N] [objective=net_pnl|deflated_sharpe] '
              '[seed=N] [--json] [overrides...]'},
    'help.tune.about': {
        'ko': ('conf/tune/<공간>.yaml 의 파라미터 (설정 경로 -> 분포: float[lo,hi], int[lo,hi], log[lo,hi], '
               'choice[a,b]) 를 Optuna 로 탐색합니다. 시도마다 설정을 합성·검증하고, 엔진 재생으로 가격을 매긴 '
               '워크포워드의 비용 차감 순손익 (또는 디플레이티드 샤프) 을 목적값으로 씁니다. 폴드가 끝날 때마다 '
               '누적 순손익을 보고하고 가망 없는 시도는 중단(prune)합니다. 모든 시도는 디플레이티드 샤프의 시도로 '
               '저장소에 기록됩니다. 저장: 저장소 폴더의 SQLite tune.db, 또는 환경 변수 SCALP_TUNE_STORAGE 의 '
               'PostgreSQL URL (여러 기계의 워커가 같은 study=<id> 를 공유). 최적 시도는 '
               'conf/experiment/tuned_<study>.yaml 로 쓰여 scalp backtest experiment=tuned_<study> 로 재현됩니다.'),
        'en': ('searches the parameters of conf/tune/<space>.yaml (config path -> distribution: float[lo,hi], '
               'int[lo,hi], log[lo,hi], choice[a,b]) with Optuna. Each trial is composed and validated like a '
               'run; its value is the walk-forward net PnL after costs as the engine replay priced it (or its '
               'deflated Sharpe). Each fold end reports the cumulative net PnL and hopeless trials are pruned. '
               'Every trial is recorded in the store as a trial of the deflated Sharpe. Storage: SQLite tune.db '
               'in the store folder, or a PostgreSQL URL in SCALP_TUNE_STORAGE (workers on many machines share '
               'one study=<id>). The best trial is written to conf/experiment/tuned_<study>.yaml: '
               'scalp backtest experiment=tuned_<study> reproduces it.')},
    'help.tune.reads': {
        'ko': '  conf/tune/<공간>.yaml, 전체 설정 (walkforward, store, run.out_dir), 환경 변수 SCALP_TUNE_STORAGE',
        'en': '  conf/tune/<space>.yaml, the whole config (walkforward, store, run.out_dir), env SCALP_TUNE_STORAGE'},
    'help.tune.examples': {
        'ko': ('  scalp tune tune=quick n_trials=3\n  scalp tune tune=quick study=s1 objective=deflated_sharpe\n'
               '  SCALP_TUNE_STORAGE=postgresql+psycopg://u:pw@host/db scalp tune tune=quick study=s1   # 기계마다'),
        'en': ('  scalp tune tune=quick n_trials=3\n  scalp tune tune=quick study=s1 objective=deflated_sharpe\n'
               '  SCALP_TUNE_STORAGE=postgresql+psycopg://u:pw@host/db scalp tune tune=quick study=s1   # per machine')},
    'tune.need_space': {
        'ko': '탐색 공간이 없습니다: tune=<이름> (conf/tune/<이름>.yaml)',
        'en': 'no search space: give tune=<name> (conf/tune/<name>.yaml)'},
    'tune.space.missing': {
        'ko': "탐색 공간 '{name}' 이 conf/tune/ 에 없습니다 (있는 것: {available}){hint}",
        'en': "no search space '{name}' in conf/tune/ (available: {available}){hint}"},
    'tune.space.bad_yaml': {
        'ko': '{file} 을 읽을 수 없습니다: {detail}',
        'en': 'cannot read {file}: {detail}'},
    'tune.space.bad_grammar': {
        'ko': "'{text}' 는 분포가 아닙니다 (float[lo,hi], int[lo,hi], log[lo,hi], choice[a,b] 중 하나)",
        'en': "'{text}' is not a distribution (write float[lo,hi], int[lo,hi], log[lo,hi] or choice[a,b])"},
    'tune.space.bad_bounds': {
        'ko': "'{text}': {kind}[lo,hi] 에는 하한과 상한 (int/float 는 선택적으로 간격) 이 필요합니다",
        'en': "'{text}': {kind}[lo,hi] needs a low and a high bound (int/float: optionally a step)"},
    'tune.space.not_number': {
        'ko': "'{value}' 는 {kind} 숫자가 아닙니다",
        'en': "'{value}' is not a {kind} number"},
    'tune.space.low_high': {
        'ko': "'{text}': 하한이 상한보다 작아야 합니다",
        'en': "'{text}': the low bound must be below the high bound"},
    'tune.space.log_positive': {
        'ko': "'{text}': log 분포의 하한은 0 보다 커야 합니다",
        'en': "'{text}': a log distribution needs a low bound above 0"},
    'tune.space.bad_step': {
        'ko': "'{text}': 간격은 0 보다 커야 합니다",
        'en': "'{text}': the step must be above 0"},
    'tune.space.empty_choice': {
        'ko': "'{text}': 선택지가 비어 있습니다",
        'en': "'{text}': empty choice"},
    'tune.space.bad_choice': {
        'ko': "'{text}': 선택지는 단일 값이어야 합니다 (목록, 매핑, null 불가)",
        'en': "'{text}': choices must be single values (no list, mapping or null)"},
    'tune.space.duplicate_choice': {
        'ko': "'{text}': 같은 선택지가 두 번 있습니다",
        'en': "'{text}': a choice appears twice"},
    'tune.space.not_tunable': {
        'ko': '{root}.* 는 결과가 저장되는 곳이라 탐색할 수 없습니다',
        'en': '{root}.* says where results go; it cannot be tuned'},
    'tune.space.no_option': {
        'ko': '이 그룹에 없는 선택지: {options} (있는 것: {available})',
        'en': 'not a file of this group: {options} (available: {available})'},
    'tune.space.unknown_path': {
        'ko': '기본 설정에 이 경로가 없습니다{hint}',
        'en': 'no such path in the base config{hint}'},
    'tune.space.not_leaf': {
        'ko': '값이 아니라 설정 노드입니다: 그 안의 값 경로를 쓰세요',
        'en': 'a config node, not a value: name a value inside it'},
    'tune.space.not_numeric': {
        'ko': "숫자 분포인데 현재 값 '{value}' 는 숫자가 아닙니다 (choice[...] 를 쓰세요)",
        'en': "a numeric distribution, but the current value '{value}' is not a number (use choice[...])"},
    'tune.study_mismatch': {
        'ko': "스터디 '{study}' 는 이미 공간 '{space}' / 목적 '{objective}' 로 만들어졌습니다: 다른 study=<id> 를 쓰세요",
        'en': "study '{study}' was created for space '{space}' / objective '{objective}': use another study=<id>"},
    'tune.storage_error': {
        'ko': '튜닝 저장소 {storage} 를 열 수 없습니다: {detail}',
        'en': 'cannot open the tuning storage {storage}: {detail}'},
    'tune.progress': {
        'ko': '튜닝 {study}',
        'en': 'tuning {study}'},
    'tune.trial_progress': {
        'ko': '  시도 {n} (학습 → 재생)',
        'en': '  trial {n} (fit → replay)'},
    'tune.bar_postfix': {
        'ko': '#{n} {state} {value} · 최고 {best}',
        'en': '#{n} {state} {value} · best {best}'},
    'tune.pruned': {
        'ko': '{folds} 폴드 후 중단 (prune)',
        'en': 'pruned after {folds} folds'},
    'tune.trial_invalid': {
        'ko': '시도 {n} 의 설정이 검증을 통과하지 못했습니다 (실패로 기록): {detail}',
        'en': 'trial {n}: its config does not validate (recorded as failed): {detail}'},
    'tune.yaml_header': {
        'ko': '스터디 {study} (공간 {space}) 의 최적 시도 #{n}: {objective} = {value}',
        'en': 'best trial #{n} of study {study} (space {space}): {objective} = {value}'},
    'tune.head': {
        'ko': '스터디 {study} · 공간 {space} · 목적 {objective} · 저장 {storage}',
        'en': 'study {study} · space {space} · objective {objective} · storage {storage}'},
    'tune.counts': {
        'ko': '시도 {n} (완료 {complete}, 중단 {pruned}, 실패 {failed}) · 이 워커의 시도: {mine}',
        'en': 'trials {n} (complete {complete}, pruned {pruned}, failed {failed}) · this worker ran: {mine}'},
    'tune.no_best': {
        'ko': '완료된 시도가 없어 최적값이 없습니다',
        'en': 'no complete trial, so no best'},
    'tune.best': {
        'ko': '최적 시도 #{n}: 목적값 {value} · 엔진 순손익 {pnl} KRW · 거래 {trades}',
        'en': 'best trial #{n}: value {value} · engine net PnL {pnl} KRW · trades {trades}'},
    'tune.importance': {
        'ko': '파라미터 중요도 (fANOVA): {items}',
        'en': 'parameter importance (fANOVA): {items}'},
    'tune.importance_none': {
        'ko': '파라미터 중요도: 없음 ({why})',
        'en': 'parameter importance: n/a ({why})'},
    'tune.importance_na': {
        'ko': '값이 다른 완료 시도가 2개 이상 필요합니다 (완료 {n})',
        'en': 'needs at least 2 complete trials with different values ({n} complete)'},
    'tune.dsr_line': {
        'ko': '최적 시도의 디플레이티드 샤프 {dsr} (N = {trials}: 저장소에서 기간이 겹치는 서로 다른 설정의 시도 수)',
        'en': "best trial's deflated Sharpe {dsr} (N = {trials} distinct configurations tried on an overlapping "
              "span, from the store)"},
    'tune.dsr_missing': {
        'ko': '최적 시도의 수익률이 이 저장소에 없습니다',
        'en': "the best trial's returns are not in this store"},
    'tune.experiment': {
        'ko': '최적 설정: {path} → scalp backtest experiment={name}',
        'en': 'best override: {path} → scalp backtest experiment={name}'},
}
