"""线索办理规则: the two clocks of tips (first response, resolution) and the reply template library
(district admins)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.tips import reply_templates, sla, tips
from lib.ui import ui

P = "rules_"


def _done(message: str, **state) -> None:
    """After a successful write: say so on the next run, set what that run should pick,
    rerun (what is shown above the form was drawn before the write)."""
    st.session_state[P + "flash"] = message
    for key, value in state.items():
        st.session_state[P + key] = value
    st.rerun()


def _error(ctx: ui.Context, exc: PortalError, labels: dict[str, str]) -> None:
    """A refusal, prefixed with the name of the field or rule it is about; a quoted title is
    made inert (st.error renders Markdown)."""
    message = ctx.t(exc.key, **{k: ui.inert(v) for k, v in exc.params.items()})
    label = labels.get(getattr(exc, "field", None) or "")
    st.error(ctx.t("rules.error.in_field", field=label, message=message) if label else message)


def _kind(ctx: ui.Context, kind: str) -> str:
    return i18n.term("tip_kinds", kind, ctx.lang)


def _priority(ctx: ui.Context, priority: str) -> str:
    return ctx.t(f"tips.priority.{priority}")


# Each clock: (its name in the page's widget keys, the sla.set_rules argument, the rule's field).
CLOCKS = (("sla", "changes", "minutes"), ("res", "resolution", "resolution_minutes"))


def _grid(ctx: ui.Context, rules: list[dict], field: str, key: str) -> None:
    """One clock as a readable table: tip kinds down, priorities across."""
    t = ctx.t
    grid: dict[str, dict[str, str]] = {}
    for r in rules:
        text = sla.format_minutes(r[field], ctx.lang) + (t("rules.sla.default_mark") if r["is_default"] else "")
        grid.setdefault(_kind(ctx, r["kind"]), {})[_priority(ctx, r["priority"])] = text
    st.dataframe(pd.DataFrame.from_dict(grid, orient="index").rename_axis(t("rules.kind")).reset_index(),
                 hide_index=True, width="stretch", key=P + key + "_table")


def _clock_form(ctx: ui.Context, rules: list[dict], name: str, argument: str, field: str) -> None:
    """The minutes of one clock, every kind × priority, saved together."""
    t = ctx.t
    # The current minutes are part of each input's key: after a save (ours or another admin's)
    # the inputs start again from what is stored, while a refused entry keeps what was typed.
    with st.form(P + name + "_form"):
        st.caption(t(f"rules.{name}.minutes_help"))
        typed = {}
        for kind in tips.KINDS:
            cols = st.columns([1, 1, 1, 1, 1], vertical_alignment="bottom")
            cols[0].markdown(_kind(ctx, kind))
            for col, r in zip(cols[1:], (r for r in rules if r["kind"] == kind), strict=True):
                typed[(kind, r["priority"])] = col.number_input(
                    _priority(ctx, r["priority"]), value=r[field], step=1, format="%d",
                    help=t("rules.sla.current", span=sla.format_minutes(r[field], ctx.lang)),
                    key=P + f"{name}_{kind}_{r['priority']}_{r[field]}")
        save = st.form_submit_button(t(f"rules.{name}.save"), type="primary", key=P + name + "_save")
    if save:
        labels = {f"{r['kind']}.{r['priority']}": f"{_kind(ctx, r['kind'])} · {_priority(ctx, r['priority'])}"
                  for r in rules}  # the refusal itself names the clock
        try:
            changed = sla.set_rules(ctx.db, ctx.user, **{argument: typed})
        except PortalError as exc:
            _error(ctx, exc, labels)
        else:
            if changed:
                _done(t(f"rules.{name}.saved", n=len(changed)))
            st.info(t("rules.sla.unchanged"))


def _sla(ctx: ui.Context) -> None:
    t = ctx.t
    st.subheader(t("rules.clocks.title"))
    st.markdown(t("rules.clocks.explain"))
    st.info(t("rules.sla.notice"))
    rules = sla.list_rules(ctx.db, ctx.user)
    late = [f"{_kind(ctx, r['kind'])} · {_priority(ctx, r['priority'])}" for r in rules
            if r["resolution_minutes"] < r["minutes"]]
    if late:
        st.warning(t("rules.clocks.resolution_shorter", pairs=i18n.join(late, ctx.lang)))
    for col, (name, _argument, field) in zip(st.columns(2), CLOCKS, strict=True):
        with col:
            st.markdown(f"**{t(f'rules.{name}.title')}**")
            _grid(ctx, rules, field, name)
    edit = st.tabs([t(f"rules.{name}.edit") for name, _a, _f in CLOCKS])
    for tab, (name, argument, field) in zip(edit, CLOCKS, strict=True):
        with tab:
            _clock_form(ctx, rules, name, argument, field)


def _templates(ctx: ui.Context) -> None:
    t, user = ctx.t, ctx.user
    st.subheader(t("rules.templates.title"))
    st.caption(t("rules.templates.intro"))
    kind = st.radio(t("rules.kind"), tips.KINDS, key=P + "tpl_kind", horizontal=True,
                    format_func=lambda k: _kind(ctx, k))
    rows = reply_templates.list_templates(ctx.db, user, kind)
    if rows:
        st.dataframe(pd.DataFrame([{
            t("rules.templates.col.title"): r["title"],
            t("rules.templates.col.body"): r["body"],
        } for r in rows]), hide_index=True, width="stretch", key=P + "tpl_table")
    else:
        st.info(t("rules.templates.none"))

    by_id = {r["id"]: r for r in rows}
    options = [None, *by_id]
    # A selection asked for by the previous run is applied before the widget exists.
    wanted = st.session_state.pop(P + "tpl_select", "keep")
    if wanted != "keep" or st.session_state.get(P + "tpl_pick") not in options:
        st.session_state[P + "tpl_pick"] = wanted if wanted in options else None
    template_id = st.selectbox(t("rules.templates.pick"), options, key=P + "tpl_pick",
                               format_func=lambda i: t("rules.templates.new") if i is None else by_id[i]["title"])
    current = by_id.get(template_id, {})
    if st.session_state.pop(P + "tpl_clear_new", False):
        for name in ("title", "body"):
            st.session_state.pop(P + f"tpl_{kind}_new_{name}", None)
    k = P + f"tpl_{kind}_{template_id or 'new'}_"
    with st.form(P + f"tpl_form_{kind}_{template_id or 'new'}"):
        title = st.text_input(t("rules.templates.col.title"), current.get("title", ""),
                              max_chars=reply_templates.TITLE_MAX, key=k + "title")
        body = st.text_area(t("rules.templates.col.body"), current.get("body", ""),
                            max_chars=reply_templates.BODY_MAX, height=140, key=k + "body")
        save = st.form_submit_button(t("rules.templates.save"), type="primary", key=P + "tpl_save")
    labels = {"title": t("rules.templates.col.title"), "body": t("rules.templates.col.body"),
              "kind": t("rules.kind")}
    try:
        if save:
            if template_id is None:
                made = reply_templates.add_template(ctx.db, user, kind, title, body)
                _done(t("rules.templates.added"), tpl_select=made["id"], tpl_clear_new=True)
            else:
                reply_templates.update_template(ctx.db, user, template_id, title=title, body=body)
                _done(t("rules.templates.saved"))
        if template_id is not None and st.button(t("rules.templates.delete"), key=P + "tpl_delete"):
            reply_templates.delete_template(ctx.db, user, template_id)
            _done(t("rules.templates.deleted"), tpl_select=None)
    except PortalError as exc:
        _error(ctx, exc, labels)


def render() -> None:
    ctx = ui.staff_page("district_admin")
    st.title(ctx.t("rules.title"))
    st.caption(ctx.t("rules.intro"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    _sla(ctx)
    st.divider()
    _templates(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
