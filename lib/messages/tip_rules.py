"""Messages of the tip rules page (SLA rules, reply templates) and the expert directory."""

MESSAGES: dict[str, tuple[str, str]] = {
    "rules.title": ("线索办理规则", "Tip rules"),
    "experts.title": ("专家资源库", "Expert directory"),
}
