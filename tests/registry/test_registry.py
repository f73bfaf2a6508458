"""Registry behaviour: registration, lookup, errors that name the dotted path and never leak secrets."""
import json

import pytest
from pydantic import Field, SecretStr, model_validator

import registry
from registry import ConfigError, Params, build, register


@pytest.fixture
def temp_components():
    made = []

    def make(kind, name, params_cls, module="tests.fake"):
        cls = type(f"C_{name}", (), {"Params": params_cls, "__init__": lambda self, p: setattr(self, "p", p),
                                     "__module__": module, "__doc__": f"Test component {name}."})
        register(kind, name)(cls)
        made.append((kind, name))
        return cls

    yield make
    for kind, name in made:
        registry.unregister(kind, name)


class Amount(Params):
    amount_krw: float = Field(10_000, ge=5_000, le=1e9)
    note: str = "x"


class Window(Params):
    short_bars: int = 5
    long_bars: int = 20

    @model_validator(mode="after")
    def _order(self):
        if self.short_bars >= self.long_bars:
            raise ValueError(f"short_bars ({self.short_bars}) must be < long_bars ({self.long_bars})")
        return self


class Keyed(Params):
    api_secret: SecretStr = SecretStr("")
    retries: int = Field(3, ge=0)


def test_build_passes_only_params(temp_components):
    temp_components("sizing", "t_amount", Amount)
    obj = build("sizing", {"component": "t_amount", "amount_krw": 20000}, path="sizing")
    assert obj.p.amount_krw == 20000 and obj.p.note == "x"
    with pytest.raises(Exception):
        obj.p.amount_krw = 1  # frozen


def test_duplicate_registration_names_both_modules(temp_components):
    temp_components("sizing", "t_dup", Amount, module="pkg.first")
    with pytest.raises(ValueError, match=r"duplicate sizing 't_dup': registered by pkg\.first\..*refused from pkg\.second"):
        temp_components("sizing", "t_dup", Amount, module="pkg.second")


def test_unknown_name_lists_registered_and_suggests(temp_components):
    temp_components("fusion", "t_weighted", Amount)
    with pytest.raises(ConfigError) as e:
        build("fusion", {"component": "t_weigthed"}, path="fusion")
    line = e.value.lines()[0]
    assert line.startswith("fusion.component  unknown fusion 't_weigthed'")
    assert "did you mean 't_weighted'" in line and "registered:" in line


def test_unknown_key_named_with_dotted_path_and_suggestion(temp_components):
    temp_components("sizing", "t_amount2", Amount)
    with pytest.raises(ConfigError) as e:
        build("sizing", {"component": "t_amount2", "amount_kwr": 1}, path="sizing")
    assert e.value.lines() == ["sizing.amount_kwr  unknown key (did you mean 'amount_krw'?)"]


def test_all_problems_reported_at_once(temp_components):
    temp_components("sizing", "t_amount3", Amount)
    with pytest.raises(ConfigError) as e:
        build("sizing", {"component": "t_amount3", "amount_krw": "lots", "zzz": 1}, path="sizing")
    paths = sorted(p for p, _ in e.value.problems)
    assert paths == ["sizing.amount_krw", "sizing.zzz"]


def test_wrong_type_and_bounds_name_the_key(temp_components):
    temp_components("sizing", "t_amount4", Amount)
    with pytest.raises(ConfigError, match=r"^sizing\.amount_krw  Input should be greater than or equal to 5000"):
        build("sizing", {"component": "t_amount4", "amount_krw": 100}, path="sizing")


def test_cross_field_validator_message(temp_components):
    temp_components("feature", "t_window", Window)
    with pytest.raises(ConfigError) as e:
        build("feature", {"component": "t_window", "short_bars": 30}, path="features.sma")
    assert e.value.lines() == ["features.sma  Value error, short_bars (30) must be < long_bars (20)"]


def test_secret_value_never_in_error_text(temp_components):
    temp_components("exchange", "t_keyed", Keyed)
    secret = "sk-THIS-IS-SECRET-9f8e7d"
    with pytest.raises(ConfigError) as e:
        build("exchange", {"component": "t_keyed", "api_secret": secret, "retries": -1, "apisecret": secret},
              path="exchange")
    text = str(e.value) + repr(e.value) + "".join(e.value.lines())
    assert secret not in text
    assert "exchange.retries" in text and "exchange.apisecret  unknown key" in text
    ok = build("exchange", {"component": "t_keyed", "api_secret": secret}, path="exchange")
    assert secret not in repr(ok.p) and secret not in str(ok.p)
    assert registry.secret_values(ok.p) == [secret]


def test_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match="unknown component kind 'sizer'.*did you mean 'sizing'"):
        registry.names("sizer")


def test_missing_component_key_lists_choices(temp_components):
    temp_components("entry", "t_entry", Amount)
    with pytest.raises(ConfigError, match=r"^entry\.component  missing; choose a entry: .*t_entry"):
        build("entry", {"amount_krw": 6000}, path="entry")


def test_describe_is_json_schema(temp_components):
    temp_components("sizing", "t_amount5", Amount)
    schema = registry.describe("sizing", "t_amount5")
    json.dumps(schema)
    assert schema["properties"]["amount_krw"]["minimum"] == 5000
    assert schema["description"] == "Test component t_amount5."


def test_load_all_is_idempotent():
    registry.load_all()
    before = {k: registry.names(k) for k in registry.KINDS}
    registry.load_all()
    assert before == {k: registry.names(k) for k in registry.KINDS}


def test_component_without_params_class_refused():
    with pytest.raises(TypeError, match="needs a nested `Params"):
        register("sizing", "t_noparams")(type("NoParams", (), {}))


def test_every_component_folder_is_a_package():
    """load_all walks regular packages; a kind folder without __init__.py would silently register nothing."""
    from pathlib import Path
    import components
    base = Path(components.__file__).parent
    missing = [str(d.relative_to(base)) for d in base.iterdir()
               if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py")) and not (d / "__init__.py").exists()]
    assert not missing, f"component folders without __init__.py: {missing}"
