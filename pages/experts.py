"""专家资源库: lawyers, doctors, counsellors and anti-fraud specialists who answer residents' questions.

Every staff user searches the directory; district admins add, edit, deactivate and
reactivate experts (never delete: answers on tips name them).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.errors import PortalError
from lib.tips import experts, triage_queue
from lib.ui import ui

P = "experts_"
# Form field → its label's message key, to say which field a refusal is about.
LABELS = {"name": "experts.col.name", "field": "experts.field", "organization": "experts.col.organization",
          "phone": "experts.phone", "note": "experts.note"}
def _show_error(ctx: ui.Context, exc: PortalError) -> None:
    message = ctx.t(exc.key, **{k: ui.inert(v) for k, v in exc.params.items()})
    label = LABELS.get(getattr(exc, "field", None) or "")
    st.error(ctx.t("experts.error.in_field", field=ctx.t(label), message=message) if label else message)


def _done(message: str, select: int | None | str = "keep") -> None:
    """After a successful write: say so on the next run, pick ``select`` in the editor, rerun
    (the table above the editor was drawn before the write)."""
    st.session_state[P + "flash"] = message
    if select != "keep":
        st.session_state[P + "select"] = select
    st.rerun()


def _table(ctx: ui.Context, rows: list[dict]) -> None:
    t = ctx.t
    if not rows:
        st.info(t("experts.none"))
        return
    st.caption(t("experts.count", n=len(rows)))
    # A dataframe shows every value as plain text: names and notes are never rendered as markup.
    st.dataframe(pd.DataFrame([{
        t("experts.col.name"): r["name"],
        t("experts.field"): t(f"experts.field.{r['field']}"),
        t("experts.col.organization"): r["organization"] or "",
        t("experts.phone"): r["phone"] or "",
        t("experts.note"): r["note"] or "",
        t("experts.col.state"): t("experts.state.active") if r["is_active"] else t("experts.state.inactive"),
        t("experts.col.answers"): r["answers"],
        t("experts.col.last_answer"): triage_queue.local_time(r["last_answer_at"]),
    } for r in rows]), hide_index=True, width="stretch", key=P + "table")


def _editor(ctx: ui.Context, rows: list[dict]) -> None:
    """Add an expert, or edit, deactivate or reactivate one of the rows shown (district admins)."""
    t, user = ctx.t, ctx.user
    st.subheader(t("experts.edit"))
    by_id = {r["id"]: r for r in rows}
    options = [None, *by_id]
    # A selection asked for by the previous run is applied before the widget exists.
    wanted = st.session_state.pop(P + "select", "keep")
    if wanted != "keep" or st.session_state.get(P + "pick") not in options:
        st.session_state[P + "pick"] = wanted if wanted in options else None
    expert_id = st.selectbox(
        t("experts.pick_edit"), options, key=P + "pick",
        format_func=lambda i: t("experts.new") if i is None else
        f"{by_id[i]['name']} · {t('experts.field.' + by_id[i]['field'])}"
        + ("" if by_id[i]["is_active"] else f"（{t('experts.state.inactive')}）"))
    current = by_id.get(expert_id, {})
    if st.session_state.pop(P + "clear_new", False):
        for name in LABELS:
            st.session_state.pop(P + f"new_{name}", None)
    k = P + (f"{expert_id}_" if expert_id else "new_")
    with st.form(P + f"form_{expert_id or 'new'}"):
        cols = st.columns(2)
        name = cols[0].text_input(t("experts.col.name"), current.get("name", ""), max_chars=experts.LIMITS["name"],
                                  key=k + "name")
        field_code = cols[1].selectbox(t("experts.field"), experts.FIELDS,
                                       index=experts.FIELDS.index(current.get("field", "lawyer")),
                                       format_func=lambda f: t(f"experts.field.{f}"), key=k + "field")
        organization = cols[0].text_input(t("experts.col.organization"), current.get("organization") or "",
                                          max_chars=experts.LIMITS["organization"], key=k + "organization")
        phone = cols[1].text_input(t("experts.phone"), current.get("phone") or "",
                                   max_chars=experts.LIMITS["phone"], key=k + "phone")
        note = st.text_area(t("experts.note"), current.get("note") or "", max_chars=experts.LIMITS["note"],
                            height=80, key=k + "note")
        save = st.form_submit_button(t("experts.save"), type="primary", key=P + "save")
    values = {"name": name, "field": field_code, "organization": organization, "phone": phone, "note": note}
    try:
        if save:
            if expert_id is None:
                made = experts.add_expert(ctx.db, user, values)
                st.session_state[P + "clear_new"] = True
                _done(t("experts.added"), select=made["id"])
            else:
                experts.update_expert(ctx.db, user, expert_id, values)
                _done(t("experts.saved"))
        if expert_id is not None:
            if current["is_active"]:
                st.caption(t("experts.deactivate_help"))
                if st.button(t("experts.deactivate"), key=P + "deactivate"):
                    experts.set_active(ctx.db, user, expert_id, False)
                    _done(t("experts.deactivated"))
            elif st.button(t("experts.reactivate"), key=P + "reactivate"):
                experts.set_active(ctx.db, user, expert_id, True)
                _done(t("experts.reactivated"))
    except PortalError as exc:
        _show_error(ctx, exc)


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    st.title(t("experts.title"))
    st.caption(t("experts.intro"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    cols = st.columns([1, 2, 1], vertical_alignment="bottom")
    field = ui.optional_select(ctx, cols[0], "experts.field", experts.FIELDS, P + "field",
                               lambda f: t(f"experts.field.{f}"))
    text = cols[1].text_input(t("experts.search"), key=P + "text", max_chars=40)
    active_only = cols[2].toggle(t("experts.active_only"), key=P + "active_only")
    rows = experts.list_directory(ctx.db, ctx.user, field=field, text=text, include_inactive=not active_only)
    _table(ctx, rows)
    if ctx.user.is_district:
        _editor(ctx, rows)
    else:
        st.caption(t("experts.read_only"))


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
