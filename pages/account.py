"""My account: who I am, my role and unit."""

import streamlit as st

from lib.ui import ui


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("account.title"))
    user = ctx.user
    st.markdown(f"**{ctx.t('account.username')}**")
    st.text(user.username)
    st.markdown(f"**{ctx.t('account.role')}**")
    st.text(ctx.t(f"role.{user.role}"))
    st.markdown(f"**{ctx.t('account.unit')}**")
    st.text(user.unit_name)
    st.caption(ctx.t("account.logout_all"))


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
