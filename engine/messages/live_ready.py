"""Messages of the paper/live readiness checks (engine/checks/live_ready.py) and of a silent live feed."""
MESSAGES = {
    "live.check.feature_feed": {
        "ko": "피처 '{feature}' 에 {needs} 이벤트가 필요하지만 feed={feed} 는 {provides} 만 제공합니다{hint}",
        "en": "feature '{feature}' needs {needs} events but feed={feed} provides only {provides}{hint}"},
    "live.check.no_candles": {
        "ko": " (이 설정의 실시간 피드는 캔들을 만들지 않습니다: 체결 구독(feed.types 에 trade)과 feed.bars_s=[60] 이 "
              "있어야 체결로 봉을 만듭니다)",
        "en": " (this live feed builds no candles: it builds bars from trades with trade in feed.types and "
              "feed.bars_s=[60])"},
    "live.check.bars_from_trade": {
        "ko": " — 체결로 봉을 만들려면 +features.{feature}.bars_from=trade",
        "en": " — build its bars from trades with +features.{feature}.bars_from=trade"},
    "live.check.untrained": {
        "ko": "타워 '{tower}' 는 학습이 필요한데 towers.{tower}.model_path 가 없습니다 — mode={mode} 에서 아무 신호도 "
              "내지 않습니다: 같은 설정으로 `scalp train` 을 실행하고 출력된 towers.{tower}.model_path=... 를 붙이세요",
        "en": "tower '{tower}' needs training and towers.{tower}.model_path is not set — in mode={mode} it would never "
              "signal: run `scalp train` with the same overrides and pass the towers.{tower}.model_path=... it prints"},
    "live.check.switch_bound": {
        "ko": "{value} 은(는) mode={mode} 에 너무 느슨합니다 (최대 {most})",
        "en": "{value} is too loose for mode={mode} (at most {most})"},
    "live.feed_silent": {
        "ko": "{url} 에서 {seconds}초 동안 시세가 없습니다 (마지막 수신: {last})",
        "en": "no market data from {url} for {seconds} s (last received: {last})"},
    "live.feed_nothing": {"ko": "없음", "en": "nothing"},
    "live.check.universe_feed": {
        "ko": "유니버스 '{universe}' 는 매일 (09:00 KST) 다시 스캔해 마켓을 바꾸는데 feed={feed} 는 세션 중 구독을 바꿀 수 "
              "없습니다: feed=upbit_ws 를 쓰거나 universe=static 으로 두세요",
        "en": "universe '{universe}' rescans daily (09:00 KST) and changes markets, but feed={feed} cannot change its "
              "subscription mid-session: use feed=upbit_ws or universe=static"},
}
