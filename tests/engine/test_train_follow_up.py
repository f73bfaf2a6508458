"""`scalp train`'s follow-up: a backtest after the training span only when a day of data is left there."""
from engine.commands.train import MIN_FOLLOW_UP_MS, follow_up

DAY_MS = 24 * 3600 * 1000
START = 1_758_326_400_000            # 2025-09-20 00:00 UTC


def test_no_backtest_is_suggested_on_minutes_of_data():
    line = follow_up(START + 7 * DAY_MS - 7 * 60_000, [START, START + 7 * DAY_MS], "catboost",
                     "towers.catboost.model_path=m")
    assert "only 7 minutes" in line and "no backtest to suggest" in line
    assert "scalp train feed.end=2025-09-25T14:00" in line and "feed.start=2025-09-25T14:00" in line


def test_a_backtest_after_the_span_when_enough_data_follows():
    after = START + 3 * DAY_MS
    line = follow_up(after, [START, after + MIN_FOLLOW_UP_MS], "catboost", "towers.catboost.model_path=m")
    assert f"feed.start={after}" in line and "towers.catboost.model_path=m" in line


def test_training_that_stopped_at_feed_end_backtests_what_follows():
    after = START + 5 * DAY_MS
    line = follow_up(after, [START, after - 1], "catboost", "towers.catboost.model_path=m", "2025-09-25T00:00")
    assert f"feed.start={after} feed.end=null" in line and "after feed.end=2025-09-25T00:00" in line
