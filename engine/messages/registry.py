"""Messages of the component registry: unknown kinds/components, nodes that are not component mappings."""
MESSAGES = {
    "registry.unknown_kind": {"ko": "알 수 없는 컴포넌트 종류 '{kind}'{hint}; 종류: {kinds}",
                              "en": "unknown component kind '{kind}'{hint}; kinds: {kinds}"},
    "registry.unknown_component": {"ko": "알 수 없는 {kind} '{name}'{hint}; 등록된 것: {known}",
                                   "en": "unknown {kind} '{name}'{hint}; registered: {known}"},
    "registry.did_you_mean": {"ko": " (혹시 {options}?)", "en": " (did you mean {options}?)"},
    "registry.not_mapping": {"ko": "`component: <이름>` 이 있는 매핑이어야 합니다 ({got} 이 옴)",
                             "en": "expected a mapping with `component: <name>`, got {got}"},
    "registry.no_component": {"ko": "component 가 없습니다; {kind} 를 고르세요: {known}",
                              "en": "missing; choose a {kind}: {known}"},
}
