"""账户管理: a district admin administers every account; a station admin the station's clerks.

The list with each account's state; a new account; for one chosen account (keyed by username,
never by its label): a password reset, disable or enable, and for a district admin its role and
unit. A temporary password is shown once, with a copy button, after the write that made it.
"""

import streamlit as st

from lib.core import accounts
from lib.core.errors import PortalError
from lib.ui import ui

P = "accounts_"  # widget key prefix of this page


def _status(ctx: ui.Context, row: dict) -> str:
    if not row["is_active"]:
        return ctx.t("accounts.status.disabled")
    if not row["can_log_in"]:
        return ctx.t("accounts.status.no_login")
    if row["locked"]:
        return ctx.t("accounts.status.locked")
    if row["must_change_password"]:
        return ctx.t("accounts.status.must_change")
    return ctx.t("accounts.status.active")


def _issued(ctx: ui.Context) -> None:
    """The temporary password of the last create or reset, once."""
    issued = st.session_state.pop(P + "issued", None)
    if not issued:
        return
    st.success(ctx.t("accounts.issued", username=issued["username"]))
    st.code(issued["password"], language=None)
    ui.copy_button(ctx, issued["password"], ctx.t("accounts.copy"), key=P + "copy")
    st.caption(ctx.t("accounts.issued_hint"))


def _done(ctx: ui.Context) -> None:
    message = st.session_state.pop(P + "done", None)
    if message:
        st.success(message)


def _list(ctx: ui.Context) -> list[dict]:
    search = st.text_input(ctx.t("accounts.search"), key=P + "search",
                           placeholder=ctx.t("accounts.search_placeholder"), max_chars=64)
    with_records = st.toggle(ctx.t("accounts.with_records"), key=P + "with_records")
    rows = accounts.list_accounts(ctx.db, ctx.user, search, with_records=with_records)
    st.caption(ctx.t("accounts.count", n=len(rows)))
    st.dataframe(
        [{ctx.t("accounts.col.username"): r["username"], ctx.t("accounts.col.name"): r["name"],
          ctx.t("accounts.col.role"): ctx.t(f"role.{r['role']}"), ctx.t("accounts.col.unit"): r["unit_name"],
          ctx.t("accounts.col.status"): _status(ctx, r)} for r in rows],
        hide_index=True, use_container_width=True)
    return rows


def _unit_picker(ctx: ui.Context, label_key: str, key: str, current: int | None = None) -> int | None:
    units = accounts.unit_choices(ctx.db, ctx.user)
    ids = [u["id"] for u in units]
    names = {u["id"]: u["name"] for u in units}
    index = ids.index(current) if current in ids else (0 if len(ids) == 1 or not ctx.user.is_district else None)
    return st.selectbox(ctx.t(label_key), ids, index=index, format_func=names.get, key=key,
                        placeholder=ctx.t("accounts.unit_placeholder"))


def _create(ctx: ui.Context) -> None:
    t = ctx.t
    st.subheader(t("accounts.create.title"))
    roles = accounts.role_choices(ctx.user)
    with st.form(P + "create", clear_on_submit=False):
        username = st.text_input(t("accounts.username"), key=P + "new_username", max_chars=64,
                                 placeholder=t("accounts.username_placeholder"))
        name = st.text_input(t("accounts.name"), key=P + "new_name", max_chars=64,
                             placeholder=t("accounts.name_placeholder"))
        role = st.selectbox(t("accounts.role"), roles, format_func=lambda r: t(f"role.{r}"), key=P + "new_role",
                            index=roles.index("clerk"))
        unit_id = _unit_picker(ctx, "accounts.unit", P + "new_unit")
        submitted = st.form_submit_button(t("accounts.create.submit"), type="primary")
    if not submitted:
        return
    try:
        password = accounts.create_account(ctx.db, ctx.user, username=username, name=name, role=role,
                                           unit_id=unit_id or 0)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    st.session_state[P + "issued"] = {"username": username.strip().lower(), "password": password}
    for key in ("new_username", "new_name"):
        st.session_state.pop(P + key, None)
    st.rerun()


def _manage(ctx: ui.Context, rows: list[dict]) -> None:
    t = ctx.t
    st.subheader(t("accounts.manage.title"))
    manageable = {r["username"]: r for r in rows if r["can_manage"]}
    if not manageable:
        st.info(t("accounts.none_manageable"))
        return
    username = st.selectbox(
        t("accounts.pick"), list(manageable), index=None, key=P + "pick",
        placeholder=t("accounts.pick_placeholder"),
        format_func=lambda u: f"{u} · {manageable[u]['name']} · {manageable[u]['unit_name']}")
    if username is None:
        return
    row = manageable[username]
    st.caption(f"{t('accounts.col.role')}：{t('role.' + row['role'])} · {t('accounts.col.status')}：{_status(ctx, row)}")
    try:
        left, right = st.columns(2)
        with left, st.form(P + "reset"):
            st.markdown(f"**{t('accounts.reset.title')}**")
            confirmed = st.checkbox(t("accounts.reset.confirm"), key=P + "reset_confirm")
            if st.form_submit_button(t("accounts.reset.submit")):
                if not confirmed:
                    st.warning(t("accounts.reset.need_confirm"))
                else:
                    password = accounts.reset_password(ctx.db, ctx.user, username)
                    st.session_state[P + "issued"] = {"username": username, "password": password}
                    st.session_state.pop(P + "reset_confirm", None)
                    st.rerun()
        with right:
            if row["is_active"]:
                if st.button(t("accounts.disable"), key=P + "disable"):
                    accounts.set_active(ctx.db, ctx.user, username, False)
                    st.session_state[P + "done"] = t("accounts.disabled_done", username=username)
                    st.rerun()
            elif st.button(t("accounts.enable"), key=P + "enable"):
                accounts.set_active(ctx.db, ctx.user, username, True)
                st.session_state[P + "done"] = t("accounts.enabled_done", username=username)
                st.rerun()
        if ctx.user.is_district:
            with st.form(P + "role"):
                st.markdown(f"**{t('accounts.role.title')}**")
                roles = accounts.role_choices(ctx.user)
                role = st.selectbox(t("accounts.role"), roles, index=roles.index(row["role"]),
                                    format_func=lambda r: t(f"role.{r}"), key=P + "role_" + username)
                unit_id = _unit_picker(ctx, "accounts.unit", P + "unit_" + username, current=row["unit_id"])
                if st.form_submit_button(t("accounts.role.submit")):
                    accounts.change_role(ctx.db, ctx.user, username, role, unit_id or 0)
                    st.session_state[P + "done"] = t("accounts.role.done", username=username)
                    st.rerun()
    except PortalError as exc:
        ui.show_error(ctx, exc)


def render() -> None:
    ctx = ui.staff_page("district_admin", "station_admin")
    st.title(ctx.t("accounts.title"))
    st.caption(ctx.t("accounts.intro_district" if ctx.user.is_district else "accounts.intro_station"))
    _issued(ctx)
    _done(ctx)
    rows = _list(ctx)
    _create(ctx)
    _manage(ctx, rows)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
