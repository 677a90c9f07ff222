"""My account: who I am, my role and unit, and changing my own password."""

import streamlit as st

from lib.ui import ui


def render() -> None:
    ctx = ui.staff_page(temporary_password_ok=True)
    st.title(ctx.t("account.title"))
    user = ctx.user
    if user.must_change_password:
        st.warning(ctx.t("accounts.must_change"))
    st.markdown(f"**{ctx.t('account.username')}**")
    st.text(user.username)
    st.markdown(f"**{ctx.t('account.role')}**")
    st.text(ctx.t(f"role.{user.role}"))
    st.markdown(f"**{ctx.t('account.unit')}**")
    st.text(user.unit_name)
    st.caption(ctx.t("account.logout_all"))
    ui.password_form(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
