"""线索办理规则: SLA first-response times and the reply template library (district admins)."""

from __future__ import annotations

import streamlit as st

from lib import ui

P = "rules_"


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("rules.title"))
