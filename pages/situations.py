"""网情处置: online situations — counts (open, first action overdue, awaiting sign-off), a filtered and
paged list of the station's situations, one situation with its screenshot, due time and moves (sign-off
for admins on severe ones, a rebuttal push started from it), and a form to log a new one.

Every write names the version of the situation the user was shown, so a change made meanwhile is refused
with a clear message instead of overwritten. What was posted in the group is shown with ``st.text`` or in
tables, never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.core import clock, units
from lib.core.errors import PortalError
from lib.duty import online_situations as situations
from lib.ui import ui

P = "situations_"  # widget key prefix of this page
LIST_COLUMNS = {"id": "situations.col.id", "group": "situations.col.group", "category": "situations.col.category",
                "severity": "situations.col.severity", "state": "situations.col.state",
                "due": "situations.col.due", "text": "situations.col.text", "station": "situations.col.station",
                "created": "situations.col.created"}
SNIPPET = 40  # characters of the post shown in the list
NEW_KEYS = ("new_group", "new_category", "new_severity", "new_text", "new_day", "new_time")


def _done(situation_id: int, message: str, clear: tuple[str, ...] = ()) -> None:
    """After a successful write: forget the version seen, clear the inputs used, say what happened, rerun."""
    st.session_state.pop(P + f"seen_{situation_id}", None)
    st.session_state[P + "clear"] = list(clear)
    st.session_state[P + "flash"] = message
    st.rerun()


def _reset_page() -> None:
    st.session_state[P + "page"] = 1


def _label(ctx: ui.Context, keys: dict, code: str | None) -> str:
    return ctx.t(keys[code]) if code in keys else "—"


# --- the list -----------------------------------------------------------------------------------


def _filters(ctx: ui.Context) -> dict:
    """Station (district staff), state and "overdue only"; the keyword arguments of list_situations."""
    t, user = ctx.t, ctx.user
    cols = list(st.columns([1.2, 1, 1] if user.is_district else [1, 1], vertical_alignment="bottom"))
    station_id = None
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        station_id = ui.optional_select(ctx, cols.pop(0), "situations.filter.station", list(stations),
                                        P + "station", stations.get, on_change=_reset_page)
    shown = {"open": t("situations.filter.state_open"), "all": t("situations.filter.state_all"),
             **{s: t(k) for s, k in situations.STATE_KEYS.items()}}
    state = cols[0].selectbox(t("situations.filter.state"), list(shown), key=P + "state", on_change=_reset_page,
                              format_func=shown.get)
    overdue = cols[1].checkbox(t("situations.filter.overdue"), key=P + "overdue", on_change=_reset_page)
    return {"station_id": station_id, "state": None if state in ("open", "all") else state,
            "open_only": state == "open", "overdue": overdue}


def _counts(ctx: ui.Context, station_id: int | None) -> None:
    found = situations.counts(ctx.db, ctx.user, station_id=station_id)
    cols = st.columns(3)
    cols[0].metric(ctx.t("situations.count.open"), ui.fmt_int(found["open"]), border=True)
    cols[1].metric(ctx.t("situations.count.overdue"), ui.fmt_int(found["overdue"]), border=True)
    cols[2].metric(ctx.t("situations.count.awaiting_sign_off"), ui.fmt_int(found["awaiting_sign_off"]), border=True)


def _due_text(ctx: ui.Context, row: dict) -> str:
    due = clock.beijing(row["first_action_due_at"])
    if row["is_overdue"]:
        return ctx.t("situations.due_overdue", at=due)
    if row["first_action_at"] is None and row["is_open"]:
        return due
    return ctx.t("situations.due_done", at=clock.beijing(row["first_action_at"]))


def _list(ctx: ui.Context, f: dict) -> list[dict]:
    """The paged table; returns the rows shown."""
    t, user = ctx.t, ctx.user
    page = st.session_state.get(P + "page", 1)
    found = situations.list_situations(ctx.db, user, page=page, **f)
    cols = st.columns([1, 5])
    if page != found.page:
        st.session_state[P + "page"] = found.page
    cols[0].number_input(t("situations.page"), min_value=1, max_value=found.pages, step=1, key=P + "page")
    cols[1].caption(t("situations.total", total=ui.fmt_int(found.total), page=found.page, pages=found.pages))
    rows = found.rows
    if not rows:
        st.info(t("situations.empty"))
        return rows
    keys = [k for k in LIST_COLUMNS if k != "station" or user.is_district]
    frame = pd.DataFrame([{
        "id": r["id"], "group": r["group_name"], "category": _label(ctx, situations.CATEGORY_KEYS, r["category"]),
        "severity": _label(ctx, situations.SEVERITY_KEYS, r["severity"]),
        "state": _label(ctx, situations.STATE_KEYS, r["state"]), "due": _due_text(ctx, r),
        "text": r["posted_text"][:SNIPPET] + ("…" if len(r["posted_text"]) > SNIPPET else ""),
        "station": r["station_name"], "created": clock.beijing(r["created_at"])} for r in rows], columns=keys)
    frame.columns = [t(LIST_COLUMNS[k]) for k in keys]
    event = st.dataframe(frame, hide_index=True, width="stretch", key=ui.table_key(P + "table"), on_select="rerun",
                         selection_mode="single-row")
    picked = ui.pick_row(event, [r["id"] for r in rows], P + "table")
    if picked is not None:
        st.session_state[P + "pick"] = picked
    return rows


def _pick(ctx: ui.Context, rows: list[dict]) -> int | None:
    """Which situation to open: a click in the table, or the list of this page."""
    t = ctx.t
    labels = {r["id"]: f"#{r['id']} · {r['group_name']} · {_label(ctx, situations.CATEGORY_KEYS, r['category'])}"
              for r in rows}
    options = [None, *labels]
    current = st.session_state.get(P + "pick")
    if current is not None and current not in labels:
        options.append(current)  # the situation stays open after it leaves the filtered list
    return st.selectbox(t("situations.pick"), options, key=P + "pick",
                        format_func=lambda i: t("situations.pick_none") if i is None else labels.get(i, f"#{i}"))


# --- one situation ------------------------------------------------------------------------------


def _facts(ctx: ui.Context, s: dict) -> None:
    t = ctx.t
    st.markdown("**" + t("situations.posted_text") + "**")
    st.text(s["posted_text"])
    facts = [(t("situations.col.group"), s["group_name"]), (t("situations.col.station"), s["station_name"]),
             (t("situations.posted_at"), clock.beijing(s["posted_at"]) or t("situations.unknown")),
             (t("situations.reporter"), s["reporter_name"] or "—")]
    if s["handling"]:
        facts.append((t("situations.handling"), _label(ctx, situations.HANDLING_KEYS, s["handling"])))
    st.text("\n".join(f"{label}：{value}" for label, value in facts))
    if s["handling_note"]:
        st.markdown("**" + t("situations.handling_note") + "**")
        st.text(s["handling_note"])
    shot = situations.screenshot(ctx.db, ctx.user, s["id"])
    st.markdown("**" + t("situations.screenshot") + "**")
    if shot:
        st.image(shot[0], width=420)
    else:
        st.caption(t("situations.no_screenshot"))


def _timeline(ctx: ui.Context, s: dict) -> None:
    """The times kept on the row (the audit log itself is for admins)."""
    t = ctx.t
    st.markdown("**" + t("situations.timeline") + "**")
    signer = f"（{s['signer_name'] or '—'}）" if s["signed_off_at"] else ""
    steps = [(t("situations.at.created"), s["created_at"], f"（{s['reporter_name'] or '—'}）"),
             (t("situations.at.first_action"), s["first_action_at"], ""),
             (t("situations.at.handled"), s["handled_at"], ""),
             (t("situations.at.signed_off"), s["signed_off_at"], signer),
             (t("situations.at.closed"), s["closed_at"], "")]
    lines = [f"{label}：{clock.beijing(at)}{who}" for label, at, who in steps if at]
    st.text("\n".join(lines))


def _due(ctx: ui.Context, s: dict) -> None:
    t = ctx.t
    due = clock.beijing(s["first_action_due_at"])
    if s["is_overdue"]:
        st.markdown(f":red-badge[:material/alarm: {t('situations.overdue')}] " + t("situations.due_at", at=due))
    elif s["first_action_at"] is None and s["is_open"]:
        st.markdown(t("situations.due_at", at=due))
    else:
        late = s["first_action_at"] is not None and s["first_action_at"] > s["first_action_due_at"]
        st.markdown(t("situations.due_at", at=due) + (f" :orange-badge[{t('situations.late')}]" if late else ""))


def _moves(ctx: ui.Context, s: dict, seen: int) -> None:
    t, sid = ctx.t, s["id"]
    allowed = situations.allowed_moves(s)
    if not allowed:
        st.info(t("situations.no_moves", state=_label(ctx, situations.STATE_KEYS, s["state"])))
        return
    to_state = st.radio(t("situations.move_to"), allowed, key=P + f"to_{sid}", horizontal=True,
                        format_func=lambda c: t(situations.STATE_KEYS[c]))
    handling = None
    if to_state == "handled":
        options = list(situations.HANDLINGS)
        handling = st.selectbox(t("situations.handling"), options, key=P + f"handling_{sid}",
                                index=0 if s["rebuttal_push_id"] else None,
                                placeholder=t("situations.handling_placeholder"),
                                format_func=lambda c: t(situations.HANDLING_KEYS[c]))
    note = st.text_input(t("situations.note"), key=P + f"note_{sid}", max_chars=situations.NOTE_MAX,
                         placeholder=t("situations.note_placeholder"))
    if st.button(t("situations.do", state=t(situations.STATE_KEYS[to_state])), key=P + f"do_{sid}", type="primary"):
        moved = situations.move(ctx.db, ctx.user, sid, seen, to_state, handling=handling, note=note)
        _done(sid, t("situations.moved", id=sid, state=t(situations.STATE_KEYS[moved["state"]])),
              clear=(P + f"to_{sid}", P + f"handling_{sid}", P + f"note_{sid}"))


def _sign_off(ctx: ui.Context, s: dict, seen: int) -> None:
    t = ctx.t
    if not s["needs_sign_off"]:
        return
    if s["signed_off_at"]:
        st.success(t("situations.signed", name=ui.inert(s["signer_name"] or "—"), at=clock.beijing(s["signed_off_at"])))
        return
    st.info(t("situations.sign_off_rule"))
    if situations.can_sign_off(ctx.user, s):
        if st.button(t("situations.sign_off"), key=P + f"sign_{s['id']}", type="primary"):
            situations.sign_off(ctx.db, ctx.user, s["id"], seen)
            _done(s["id"], t("situations.signed_done", id=s["id"]))


def _rebuttal(ctx: ui.Context, s: dict, seen: int) -> None:
    t = ctx.t
    if s["rebuttal_push_id"]:
        ui.page_link(ctx, "compose", t("situations.rebuttal_open", id=s["rebuttal_push_id"]),
                     icon=":material/campaign:", query_params={"push": s["rebuttal_push_id"]})
    if not s["is_open"]:
        return
    st.caption(t("situations.rebuttal_help"))
    if st.button(t("situations.rebuttal_start"), key=P + f"rebuttal_{s['id']}"):
        push = situations.start_rebuttal(ctx.db, ctx.user, s["id"], seen)
        _done(s["id"], t("situations.rebuttal_started", id=push["id"]))


def _detail(ctx: ui.Context, situation_id: int) -> None:
    t = ctx.t
    try:
        s = situations.get_situation(ctx.db, ctx.user, situation_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    seen = ui.version_seen(P, situation_id, s["version"], t("situations.changed_meanwhile", id=situation_id),
                           t("situations.reload"))
    st.subheader(f"#{s['id']} · {ui.inert(s['group_name'])}")
    severity = _label(ctx, situations.SEVERITY_KEYS, s["severity"])
    colour = {"severe": "red", "serious": "orange"}.get(s["severity"], "gray")
    st.markdown(f":{'blue' if s['is_open'] else 'gray'}-badge[{_label(ctx, situations.STATE_KEYS, s['state'])}]"
                f" :{colour}-badge[{severity}] :gray-badge[{_label(ctx, situations.CATEGORY_KEYS, s['category'])}]")
    _due(ctx, s)
    left, right = st.columns([1.1, 1], gap="large")
    with left:
        _facts(ctx, s)
    with right:
        try:
            _moves(ctx, s, seen)
            _sign_off(ctx, s, seen)
            st.divider()
            _rebuttal(ctx, s, seen)
        except situations.StaleEdit:
            st.error(t("situations.error.stale"))  # the "changed meanwhile" warning above has the reload button
        except PortalError as exc:
            ui.show_error(ctx, exc)
        _timeline(ctx, s)


# --- a new situation ----------------------------------------------------------------------------


def _posted_at(day, at) -> tuple[str | None, bool]:
    """(posted_at stamp or None, complete): both date and time (Beijing), or neither."""
    if day is None and at is None:
        return None, True
    if day is None or at is None:
        return None, False
    return clock.from_beijing(dt.datetime.combine(day, at)), True


def _group_label(group: dict) -> str:
    """A group by its name, with its grid's when the name does not say it (警民联系群397 → whose?)."""
    return group["name"] if group["grid_name"] in group["name"] else f"{group['name']}（{group['grid_name']}）"


FIELD_LABELS = {"group_id": "situations.new_group", "category": "situations.col.category",
                "severity": "situations.col.severity", "posted_text": "situations.posted_text",
                "posted_at": "situations.posted_at", "screenshot": "situations.screenshot"}


def _new(ctx: ui.Context) -> None:
    t, user = ctx.t, ctx.user
    st.caption(t("situations.new_intro", severe=situations.FIRST_ACTION_HOURS["severe"],
                 serious=situations.FIRST_ACTION_HOURS["serious"], general=situations.FIRST_ACTION_HOURS["general"]))
    station_id = None
    if user.is_district:  # a station first: its groups are the choice
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        station_id = st.selectbox(t("situations.col.station"), list(stations), key=P + "new_station",
                                  index=None, placeholder=t("situations.new_station_placeholder"),
                                  format_func=stations.get)
        if station_id is None:
            return
    groups = {g["id"]: g for g in situations.group_choices(ctx.db, user, station_id)}
    if not groups:
        st.info(t("situations.new_no_groups"))
        return
    nonce = st.session_state.get(P + "new_nonce", 0)  # a new uploader after each report: it cannot be cleared
    with st.form(P + "new_form"):
        group_id = st.selectbox(t("situations.new_group"), list(groups), key=P + "new_group", index=None,
                                placeholder=t("situations.new_group_placeholder"),
                                format_func=lambda i: _group_label(groups[i]))
        cols = st.columns(2)
        category = cols[0].selectbox(t("situations.col.category"), list(situations.CATEGORIES), key=P + "new_category",
                                     index=None, placeholder=t("situations.new_category_placeholder"),
                                     format_func=lambda c: t(situations.CATEGORY_KEYS[c]))
        severity = cols[1].selectbox(t("situations.col.severity"), list(situations.SEVERITIES), key=P + "new_severity",
                                     index=None, placeholder=t("situations.new_severity_placeholder"),
                                     format_func=lambda c: t(situations.SEVERITY_KEYS[c]))
        text = st.text_area(t("situations.posted_text"), key=P + "new_text", max_chars=situations.TEXT_MAX,
                            height=110, placeholder=t("situations.new_text_placeholder"))
        cols = st.columns(2)
        day = cols[0].date_input(t("situations.new_day"), value=None, key=P + "new_day", format="YYYY-MM-DD",
                                 max_value=dt.date.fromisoformat(clock.beijing_today()))
        at = cols[1].time_input(t("situations.new_time"), value=None, key=P + "new_time",
                                step=dt.timedelta(minutes=5))
        st.caption(t("situations.new_posted_help"))
        shot = st.file_uploader(t("situations.screenshot"), type=["jpg", "jpeg", "png", "webp"],
                                key=P + f"new_shot_{nonce}", help=t("situations.new_shot_help"))
        submitted = st.form_submit_button(t("situations.new_submit"), type="primary", key=P + "new_submit")
    if not submitted:
        return
    posted_at, complete = _posted_at(day, at)
    if not complete:
        st.error(t("situations.new_posted_partial"))
        return
    try:
        made = situations.report(ctx.db, user, group_id=group_id, category=category, severity=severity,
                                 posted_text=text, posted_at=posted_at,
                                 screenshot=shot.getvalue() if shot is not None else None)
    except PortalError as exc:
        ui.show_field_errors(ctx, exc, lambda field: ctx.t(FIELD_LABELS[field]))  # the form keeps what was typed
        return
    st.session_state[P + "new_nonce"] = nonce + 1
    st.session_state[P + "open_next"] = made["id"]  # the list's picker is already drawn in this run
    st.session_state[P + "clear"] = [P + k for k in NEW_KEYS]
    st.session_state[P + "flash"] = t("situations.new_done", id=made["id"],
                                      due=clock.beijing(made["first_action_due_at"]))
    st.rerun()


# --- the page -----------------------------------------------------------------------------------


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    ui.forget_written_inputs(P)
    st.title(t("situations.title"))
    st.caption(t("situations.intro"))
    top = st.container()
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    tab_list, tab_new = st.tabs([t("situations.tab.list"), t("situations.tab.new")])
    with tab_list:
        f = _filters(ctx)
        with top:
            _counts(ctx, f["station_id"])
        rows = _list(ctx, f)
        st.divider()
        situation_id = _pick(ctx, rows)
        if situation_id is not None:
            _detail(ctx, situation_id)
    with tab_new:
        _new(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
