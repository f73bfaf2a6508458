"""One cost model: no module but components/types/costs.py defines a fee rate, spread or slippage number."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HOME = "components/types/costs.py"
# A cost number is named for what it is (fee, spread, slippage), optionally with its unit; `spread_slope`,
# `feed_latency_ms` or `fees_krw` (an accumulator) are not cost assumptions; nor is an upper bound on a measured
# value (`max_spread_bps` of a universe screen, `orders.max_slippage_bps` of the slippage cap): no trade is priced with it.
COST_NAME = re.compile(r"(^|_)(fee|spread|slippage)(_floor)?(_(rate|frac|pct|bps))?(_krw)?$", re.I)
LIMIT_NAME = re.compile(r"^max_", re.I)


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _number(node.operand)
        return -v if v is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None


def _offends(name: str, value: ast.AST) -> bool:
    """A literal fee rate (even 0: a default that hides the configured one), or any non-zero fee, spread or
    slippage number (a KRW accumulator such as `paid_fee = 0.0` starts at zero and is no assumption)."""
    m = COST_NAME.search(name)
    v = _number(value)
    if m is None or v is None or LIMIT_NAME.match(name):
        return False
    return (m.group(2).lower() == "fee" and m.group(4) is not None) or v != 0.0


def _field_default(value: ast.AST) -> ast.AST:
    """`Field(0.0005, ...)` -> 0.0005; anything else unchanged."""
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "Field" and value.args:
        return value.args[0]
    return value


def offences(source: str, rel: str) -> list[str]:
    """Every place in `source` that defines a cost number: constants, class/dataclass/Params fields,
    argument defaults and keyword arguments."""
    out = []
    for node in ast.walk(ast.parse(source)):
        found: list[tuple[str, ast.AST]] = []
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                name = getattr(t, "id", None) or getattr(t, "attr", None)
                if name:
                    found.append((name, _field_default(node.value)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            pos = a.posonlyargs + a.args
            pairs = list(zip(pos[len(pos) - len(a.defaults):], a.defaults)) + list(zip(a.kwonlyargs, a.kw_defaults))
            found += [(arg.arg, d) for arg, d in pairs if d is not None]
        elif isinstance(node, ast.Call):
            found += [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
        out += [f"{rel}:{node.lineno}: {name}" for name, value in found if _offends(name, value)]
    return out


def _sources():
    for top in ("components", "engine", "registry", "examples"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel != HOME:
                yield rel, path.read_text(encoding="utf-8")


def test_no_module_but_the_cost_model_defines_a_fee_or_spread_number():
    found = [o for rel, src in _sources() for o in offences(src, rel)]
    assert found == [], "cost numbers outside components/types/costs.py:\n" + "\n".join(found)


def test_the_scan_catches_each_way_of_hiding_a_cost_number():
    samples = {
        "FEE_RATE_KRW = 0.0005": 1,                                             # a constant
        "def f(x, fee_rate=0.0005): pass": 1,                                   # an argument default
        "class P:\n    fee_rate: float = Field(0.0005, ge=0)": 1,               # a Params field
        "class C:\n    spread_frac: float = 0.0002": 1,                         # a dataclass field
        "g(spread_frac=0.0002, vol_regime=1.0)": 1,                             # a keyword argument
        "SLIPPAGE_BPS = -1.0": 1,
        "def f(fee_rate=0.0): pass": 1,                                         # even 0 hides the config
        "fees_krw = 0.0\nspread_slope = 1.0\nfeed_latency_ms = 5.0": 0,         # not cost numbers
        "fee = funds * o.fee_rate\nspread_bps = 0.0": 0,                        # computed / zero
    }
    for src, n in samples.items():
        assert len(offences(src, "x.py")) == n, src


def test_the_cost_model_itself_holds_the_upbit_fee():
    assert offences((ROOT / HOME).read_text(encoding="utf-8"), HOME)      # the one home of the numbers
