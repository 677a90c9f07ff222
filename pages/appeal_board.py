"""协查看板 (url path ``appeals``): every active appeal as a race against the 20-minute mark."""

from __future__ import annotations

import streamlit as st

from lib import ui


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("board.title"))
