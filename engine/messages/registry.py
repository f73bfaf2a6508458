"""Messages of the component registry (English lives in registry.core.EN_TEXTS; the registry imports no engine code)."""
from registry.core import EN_TEXTS

KO = {
    "unknown_kind": "알 수 없는 컴포넌트 종류 '{kind}'{hint}; 종류: {kinds}",
    "unknown_component": "알 수 없는 {kind} '{name}'{hint}; 등록된 것: {known}",
    "did_you_mean": " (혹시 {options}?)",
    "not_mapping": "`component: <이름>` 이 있는 매핑이어야 합니다 ({got} 이 옴)",
    "no_component": "component 가 없습니다; {kind} 를 고르세요: {known}",
}
MESSAGES = {f"registry.{k}": {"ko": KO[k], "en": EN_TEXTS[k]} for k in EN_TEXTS}
