"""Messages of remote video mediation (远程视频调解)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "mediation.title": ("远程视频调解", "Video mediation"),
}
