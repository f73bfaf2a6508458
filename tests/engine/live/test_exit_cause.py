"""A failed paper/live session exits by its cause: 3 the feed, 4 the exchange, 1 an engine fault."""
from types import SimpleNamespace

from components.types.upbit.errors import AuthenticationError
from engine import exit_codes
from engine.live.command import failed_exit_code
from engine.live.runner import failure_cause


def test_exit_code_follows_the_cause_of_a_failed_session():
    assert failed_exit_code(SimpleNamespace(cause="feed")) == exit_codes.DATA
    assert failed_exit_code(SimpleNamespace(cause="exchange")) == exit_codes.EXCHANGE
    assert failed_exit_code(SimpleNamespace(cause="")) == exit_codes.CHECK_FAILED


def test_exchange_refusals_and_network_failures_are_exchange_causes():
    assert failure_cause(AuthenticationError("bad key", status=401)) == "exchange"
    assert failure_cause(ConnectionRefusedError(111, "refused")) == "exchange"
    assert failure_cause(TimeoutError()) == "exchange"
    assert failure_cause(ZeroDivisionError()) == ""

