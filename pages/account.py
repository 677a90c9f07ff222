"""My account: who I am, my role and unit, and changing my own password."""

import streamlit as st

from lib.core.errors import PortalError
from lib.ui import ui, ui_auth

P = "account_"  # widget key prefix of this page


def _password(ctx: ui.Context) -> None:
    """Current password and the new one twice; on a refusal what was typed stays (a form keeps it)."""
    t = ctx.t
    st.subheader(t("account.password.title"))
    done = st.session_state.pop(P + "done", False)
    if done:
        st.success(t("account.password.done"))
    with st.form(P + "password", clear_on_submit=False):
        current = st.text_input(t("account.password.current"), type="password", key=P + "current")
        new = st.text_input(t("account.password.new"), type="password", key=P + "new",
                            help=t("account.password.help"))
        repeat = st.text_input(t("account.password.repeat"), type="password", key=P + "repeat")
        submitted = st.form_submit_button(t("account.password.submit"), type="primary")
    if not submitted:
        return
    try:
        ui_auth.change_password(ctx.db, ctx.user, current, new, repeat)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    for key in ("current", "new", "repeat"):
        st.session_state.pop(P + key, None)
    st.session_state[P + "done"] = True
    st.rerun()


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
    _password(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
