"""远程视频调解: civil disputes settled over video, parties possibly abroad."""

from __future__ import annotations

import streamlit as st

from lib import ui

P = "mediation_"


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("mediation.title"))
