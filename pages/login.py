"""The staff login page (the default page when logged out)."""

import streamlit as st

from lib.ui import ui, ui_auth


def render() -> None:
    ctx = ui.public_page()
    st.title(ctx.t("app.title"))
    st.caption(ctx.t("app.subtitle"))
    ui_auth.login_form(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
