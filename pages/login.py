"""The staff login page (the default page when logged out)."""

import streamlit as st

from lib import ui, ui_auth


def render() -> None:
    ctx = ui.public_page()
    st.title(ctx.t("app.title"))
    st.caption(ctx.t("app.subtitle"))
    ui_auth.login_form(ctx)
