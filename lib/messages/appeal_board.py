"""Messages of the appeal board (协查看板)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "board.title": ("协查看板", "Appeal board"),
}
