"""Fee floor: vetoes non-stop exits that net <= 0 after both fees; stops always pass."""
import components.exit.fee_floor  # noqa: F401
import registry
from components.types.risk import ExitSignal



def test_vetoes_non_stop_exits_at_or_below_zero_net(position, price_for_return):
    ff = registry.build("exit", {"component": "fee_floor"}, path="exits.fee_floor")
    assert ff.is_filter and ff.check(position, 1.0, 0) is None
    sig = ExitSignal("ev_trail", is_stop=False)
    assert not ff.allows(position, price_for_return(position, 0.0), sig)
    assert not ff.allows(position, price_for_return(position, -0.003), sig)
    assert ff.allows(position, price_for_return(position, 0.0001), sig)
    assert ff.allows(position, price_for_return(position, -0.01), ExitSignal("hard_stop", is_stop=True))


def test_min_net_margin(position, price_for_return):
    ff = registry.build("exit", {"component": "fee_floor", "min_net_pct": 0.05}, path="exits.fee_floor")
    sig = ExitSignal("profit_target")
    assert not ff.allows(position, price_for_return(position, 0.0004), sig)
    assert ff.allows(position, price_for_return(position, 0.0006), sig)
