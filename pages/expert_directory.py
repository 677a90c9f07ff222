"""专家资源库: lawyers, doctors, counsellors and anti-fraud specialists who answer residents' questions."""

from __future__ import annotations

import streamlit as st

from lib import ui

P = "experts_"


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("experts.title"))
