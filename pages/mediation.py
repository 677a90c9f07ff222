"""远程视频调解: mediation cases — counts per state, a filtered and paged list of the station's cases, one
case with its parties (and their local time for the next session), sessions, timeline and moves, and a
form to open a case for a walk-in dispute.

Every write names the version of the case the user was shown (kept in session state per case), so a
change made meanwhile is refused with a clear message instead of overwritten. User text (titles,
summaries, names, notes) is shown with ``st.text``, in tables, or escaped — never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pandas as pd
import streamlit as st

from lib.core import taxonomy, units
from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.mediation import mediation, timezones
from lib.tips.tips import format_code
from lib.tips.triage_queue import local_time
from lib.ui import ui, ui_parties

P = "mediation_"  # widget key prefix of this page
NEW_PARTY_ROLES = ("applicant", "respondent", "other")  # the new-case form's party slots
DURATIONS = (30, 45, 60, 90, 120, 180)
EVENT_ICONS = {"created": ":material/inbox:", "state": ":material/swap_horiz:", "party_added": ":material/person_add:",
               "party_updated": ":material/person:", "session_planned": ":material/video_call:",
               "session_recorded": ":material/event_available:", "mediator": ":material/badge:"}


def _done(case_id: int, message: str, clear: tuple[str, ...] = ()) -> None:
    """After a successful write: forget the version seen, clear the inputs used, say what happened, rerun."""
    st.session_state.pop(P + f"seen_{case_id}", None)
    st.session_state[P + "clear"] = list(clear)
    st.session_state[P + "flash"] = message
    st.rerun()


def _reset_page() -> None:
    st.session_state[P + "page"] = 1


def _state(ctx: ui.Context, slug: str) -> str:
    return ctx.t(f"mediation.state.{slug}")


def _dispute(ctx: ui.Context, code: str) -> str:
    return i18n.term("dispute_types", code, ctx.lang)


# --- the list ---------------------------------------------------------------------------------


def _filters(ctx: ui.Context) -> dict:
    """Station (district staff), state and search; returns the keyword arguments of list_cases."""
    t, user = ctx.t, ctx.user
    cols = list(st.columns([1.2, 1, 1.6] if user.is_district else [1, 1.6]))
    station_id = None
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        station_id = ui.optional_select(ctx, cols.pop(0), "mediation.filter.station", list(stations),
                                        P + "station", stations.get, on_change=_reset_page)
    state = cols[0].selectbox(t("mediation.filter.state"), ["open", "all", *mediation.STATES], key=P + "state",
                              on_change=_reset_page,
                              format_func=lambda s: t(f"mediation.filter.state_{s}") if s in ("open", "all")
                              else _state(ctx, s))
    text = cols[1].text_input(t("mediation.filter.text"), key=P + "text", max_chars=mediation.SEARCH_MAX,
                              on_change=_reset_page, placeholder=t("mediation.filter.text_placeholder"))
    return {"station_id": station_id, "state": None if state in ("open", "all") else state,
            "open_only": state == "open", "text": text}


def _counts(ctx: ui.Context, station_id: int | None) -> None:
    counts = mediation.case_counts(ctx.db, ctx.user, station_id=station_id)
    for col, state in zip(st.columns(len(mediation.STATES)), mediation.STATES, strict=True):
        col.metric(_state(ctx, state), ui.fmt_int(counts[state]), border=True)


def _list(ctx: ui.Context, f: dict) -> list[dict]:
    """The paged table, most recently changed first; returns the rows shown."""
    t, user = ctx.t, ctx.user
    page = st.session_state.get(P + "page", 1)
    found = mediation.list_cases(ctx.db, user, page=page, **f)
    cols = st.columns([1, 5])
    if page != found.page:
        st.session_state[P + "page"] = found.page
    cols[0].number_input(t("mediation.page"), min_value=1, max_value=found.pages, step=1, key=P + "page")
    cols[1].caption(t("mediation.total", total=ui.fmt_int(found.total), page=found.page,
                      pages=found.pages))
    rows = found.rows
    if not rows:
        st.info(t("mediation.empty"))
        return rows
    columns = ["case_no", "title", "type", "state", "parties", "abroad", "next", "mediator"]
    columns += ["station"] if user.is_district else []
    columns += ["updated"]
    frame = pd.DataFrame([{
        "case_no": r["case_no"], "title": r["title"], "type": _dispute(ctx, r["dispute_type"]),
        "state": _state(ctx, r["state"]), "parties": r["party_names"] or "",
        "abroad": "、".join(ui_parties.country_name(ctx, c) for c in (r["abroad_countries"] or "").split(",") if c),
        "next": local_time(r["next_session_at"]), "mediator": r["mediator_name"] or "",
        "station": r["station_name"], "updated": local_time(r["updated_at"])} for r in rows], columns=columns)
    frame.columns = [t(f"mediation.col.{c}") for c in columns]
    event = st.dataframe(frame, hide_index=True, width="stretch", key=P + "table", on_select="rerun",
                         selection_mode="single-row")
    picked = event.selection.rows if event and getattr(event, "selection", None) else []
    if picked and st.session_state.get(P + "table_row") != (found.page, picked[0]):
        st.session_state[P + "table_row"] = (found.page, picked[0])
        st.session_state[P + "pick"] = rows[picked[0]]["id"]
    return rows


def _pick(ctx: ui.Context, rows: list[dict]) -> int | None:
    """Which case to open: a click in the table, or the list of this page."""
    t = ctx.t
    labels = {r["id"]: f"{r['case_no']} · {r['title']}" for r in rows}
    options = [None, *labels]
    current = st.session_state.get(P + "pick")
    if current is not None and current not in labels:
        options.append(current)  # the case stays open after it leaves the filtered list
    return st.selectbox(t("mediation.pick"), options, key=P + "pick",
                        format_func=lambda i: t("mediation.pick_none") if i is None else labels.get(i, f"#{i}"))


# --- one case -----------------------------------------------------------------------------------


def _facts(ctx: ui.Context, detail: dict) -> None:
    t, case = ctx.t, detail["case"]
    st.markdown("**" + t("mediation.summary") + "**")
    st.text(case["summary"])
    facts = [(t("mediation.col.type"), _dispute(ctx, case["dispute_type"])),
             (t("mediation.col.station"), case["station_name"]),
             (t("mediation.col.mediator"), case["mediator_name"] or "—"),
             (t("mediation.opened_at"), local_time(case["created_at"]))]
    if case["closed_at"]:
        facts.append((t("mediation.closed_at"), local_time(case["closed_at"])))
    st.text("\n".join(f"{label}：{value}" for label, value in facts))
    if case["outcome"]:
        st.markdown("**" + t("mediation.outcome") + "**")
        st.text(case["outcome"])
        if case["agreement_amount"] is not None:
            st.text(t("mediation.amount_shown", amount=f"{case['agreement_amount']:,.2f}"))
    tip = detail["tip"]
    if tip:
        st.markdown("**" + t("mediation.tip") + "**")
        if tip["tracking_code"]:
            st.text(f"#{tip['id']} · {t('mediation.tip_code')}：{format_code(tip['tracking_code'])}\n"
                    f"{tip['description']}")
        else:
            st.caption(t("mediation.tip_elsewhere", id=tip["id"]))


def _parties(ctx: ui.Context, detail: dict) -> None:
    t = ctx.t
    st.markdown("**" + t("mediation.parties") + "**")
    parties, upcoming = detail["parties"], detail["next_session"]
    if not parties:
        st.info(t("mediation.no_parties"))
        return
    local = {p["id"]: p for p in detail["party_times"]}
    rows = []
    for p in parties:
        row = {"role": t(f"mediation.role.{p['role']}"), "name": p["name"], "phone": p["phone"] or "",
               "country": ui_parties.country_name(ctx, p["country"]), "zone": p["time_zone"],
               "language": t(f"mediation.language.{p['language']}"), "note": p["note"] or ""}
        if upcoming:
            view = local[p["id"]]
            row["local"] = f"{view['local']}（{view['offset']}）"
            row["flag"] = t("mediation.off_hours", time=view["time"]) if view["is_off_hours"] else ""
        rows.append(row)
    # The local time of the next session first: it is what a mediator looks for.
    keys = ["role", "name", "country"] + (["local", "flag"] if upcoming else []) + ["zone", "language", "phone", "note"]
    frame = pd.DataFrame(rows, columns=keys)
    frame.columns = [t(f"mediation.party_col.{k}") for k in keys]
    st.dataframe(frame, hide_index=True, width="stretch", key=P + f"parties_{detail['case']['id']}")
    if upcoming:
        st.caption(t("mediation.next_session", at=local_time(upcoming["starts_at"]),
                     platform=t(f"mediation.platform.{upcoming['platform']}")))
        for view in detail["party_times"]:
            if view["is_off_hours"]:
                st.warning(t("mediation.off_hours_party", name=ui.inert(view["name"]), time=view["time"],
                             zone=ui.inert(view["zone"])))


def _sessions(ctx: ui.Context, detail: dict) -> None:
    t = ctx.t
    st.markdown("**" + t("mediation.sessions") + "**")
    if not detail["sessions"]:
        st.caption(t("mediation.no_sessions"))
        return
    keys = ["at", "duration", "platform", "room", "state", "note"]
    frame = pd.DataFrame([{
        "at": local_time(s["starts_at"]), "duration": t("mediation.minutes", n=s["duration_minutes"]),
        "platform": t(f"mediation.platform.{s['platform']}"), "room": s["room"] or "",
        "state": t(f"mediation.session.{s['state']}"), "note": s["note"] or ""} for s in detail["sessions"]],
        columns=keys)
    frame.columns = [t(f"mediation.session_col.{k}") for k in keys]
    st.dataframe(frame, hide_index=True, width="stretch", key=P + f"sessions_{detail['case']['id']}")


def _event_what(ctx: ui.Context, event: dict) -> str:
    t, kind = ctx.t, event["kind"]
    data = json.loads(event["data"]) if event["data"] else {}
    if kind == "state":
        what = t("mediation.event.state", state=_state(ctx, data.get("to")))
        return what + (t("mediation.event.amount", amount=f"{data['amount']:,.2f}") if "amount" in data else "")
    if kind == "session_planned":
        return t("mediation.event.session_planned", at=local_time(data.get("starts_at")),
                 platform=t(f"mediation.platform.{data.get('platform')}"))
    if kind == "session_recorded":
        return t("mediation.event.session_recorded", at=local_time(data.get("starts_at")),
                 result=t(f"mediation.session.{data.get('result')}"))
    if kind in ("party_added", "party_updated", "mediator"):
        return t(f"mediation.event.{kind}", name=ui.inert(data.get("name")))
    if kind == "created" and data.get("tip_id"):
        return t("mediation.event.created_from_tip", id=data["tip_id"])
    return t(f"mediation.event.{kind}")


def _timeline(ctx: ui.Context, detail: dict) -> None:
    st.markdown("**" + ctx.t("mediation.timeline") + "**")
    st.caption(ctx.t("mediation.timeline_help"))
    for event in reversed(detail["events"]):
        with st.container(border=True):
            st.markdown(f"{EVENT_ICONS.get(event['kind'], '•')} **{_event_what(ctx, event)}**  \n"
                        f":gray[{local_time(event['at'])} · {ui.inert(event['user_name'] or '—')}]")
            if event["text"]:
                st.text(event["text"])


# --- actions ----------------------------------------------------------------------------------------


def _schedule(ctx: ui.Context, detail: dict, seen: int) -> None:
    t, case = ctx.t, detail["case"]
    cid = case["id"]
    if not mediation.can_schedule(case):
        st.info(t("mediation.cannot_schedule", state=_state(ctx, case["state"])))
        return
    st.caption(t("mediation.schedule_help"))
    cols = st.columns(2)
    tomorrow = dt.datetime.now(zoneinfo.ZoneInfo(timezones.BEIJING)).date() + dt.timedelta(days=1)
    day = cols[0].date_input(t("mediation.schedule_day"), value=tomorrow, key=P + f"sched_day_{cid}",
                             min_value=tomorrow - dt.timedelta(days=1), format="YYYY-MM-DD")
    at = cols[1].time_input(t("mediation.schedule_time"), value=dt.time(15, 0), step=dt.timedelta(minutes=15),
                            key=P + f"sched_time_{cid}")
    cols = st.columns(2)
    duration = cols[0].selectbox(t("mediation.schedule_duration"), DURATIONS, index=DURATIONS.index(60),
                                 key=P + f"sched_duration_{cid}", format_func=lambda n: t("mediation.minutes", n=n))
    platform = cols[1].selectbox(t("mediation.schedule_platform"), mediation.PLATFORMS, key=P + f"sched_platform_{cid}",
                                 format_func=lambda p: t(f"mediation.platform.{p}"))
    room = st.text_input(t("mediation.schedule_room"), key=P + f"sched_room_{cid}", max_chars=mediation.ROOM_MAX,
                         placeholder=t("mediation.schedule_room_placeholder"))
    zones = [p["time_zone"] for p in detail["parties"]]
    window = timezones.common_window(zones, day) if day else []
    st.caption(t("mediation.window", spans="、".join(f"{a}–{b}" for a, b in window)) if window
               else t("mediation.window_none"))
    starts = dt.datetime.combine(day, at) if day and at else None
    if starts and detail["parties"]:
        preview = timezones.party_times(detail["parties"], timezones.to_utc(starts), duration)
        st.text("\n".join(f"{p['name']}（{t('mediation.role.' + p['role'])}）：{p['local']} {p['zone']} {p['offset']}"
                          for p in preview))
        for p in preview:
            if p["is_off_hours"]:
                st.warning(t("mediation.off_hours_party", name=ui.inert(p["name"]), time=p["time"], zone=ui.inert(p["zone"])))
    if st.button(t("mediation.schedule_do"), key=P + f"sched_do_{cid}", type="primary"):
        mediation.schedule_session(ctx.db, ctx.user, cid, seen, starts, timezones.BEIJING, duration, platform, room)
        _done(cid, t("mediation.scheduled", at=local_time(timezones.to_utc(starts))),
              clear=(P + f"sched_room_{cid}",))


def _record(ctx: ui.Context, detail: dict, seen: int) -> None:
    t, cid = ctx.t, detail["case"]["id"]
    planned = {s["id"]: s for s in detail["sessions"] if s["state"] == "planned"}
    if not planned:
        st.info(t("mediation.no_planned"))
        return
    session_id = st.selectbox(t("mediation.record_session"), list(planned), key=P + f"record_pick_{cid}",
                              format_func=lambda i: f"{local_time(planned[i]['starts_at'])} · "
                                                    f"{t('mediation.platform.' + planned[i]['platform'])}")
    result = st.radio(t("mediation.record_result"), mediation.SESSION_RESULTS, key=P + f"record_result_{cid}",
                      horizontal=True, format_func=lambda r: t(f"mediation.session.{r}"))
    note = st.text_input(t("mediation.record_note"), key=P + f"record_note_{cid}", max_chars=mediation.NOTE_MAX,
                         placeholder=t("mediation.record_note_placeholder"))
    if st.button(t("mediation.record_do"), key=P + f"record_do_{cid}", type="primary"):
        mediation.record_session(ctx.db, ctx.user, cid, seen, session_id, result, note)
        _done(cid, t("mediation.recorded", result=t(f"mediation.session.{result}")),
              clear=(P + f"record_note_{cid}", P + f"record_result_{cid}"))


def _moves(ctx: ui.Context, detail: dict, seen: int) -> None:
    t, case = ctx.t, detail["case"]
    cid = case["id"]
    allowed = mediation.allowed_moves(case)
    if not allowed:
        st.info(t("mediation.no_moves", state=_state(ctx, case["state"])))
        return
    action = st.radio(t("mediation.action"), allowed, key=P + f"action_{cid}", horizontal=True,
                      format_func=lambda a: t(f"mediation.action.{a}"))
    st.caption(t(f"mediation.action_help.{action}"))
    outcome = amount = reason = None
    if action in mediation.NEEDS_OUTCOME:
        outcome = st.text_area(t(f"mediation.outcome_label.{action}"), key=P + f"outcome_{cid}",
                               max_chars=mediation.OUTCOME_MAX, height=100)
    if action == "settle":
        amount = st.number_input(t("mediation.amount"), min_value=0.0, max_value=float(mediation.AMOUNT_MAX),
                                 value=None, step=100.0, key=P + f"amount_{cid}", help=t("mediation.amount_help"))
    if action in mediation.NEEDS_REASON:
        reason = st.text_input(t("mediation.reason"), key=P + f"reason_{cid}", max_chars=mediation.REASON_MAX,
                               placeholder=t(f"mediation.reason_placeholder.{action}"))
    if st.button(t("mediation.do", action=t(f"mediation.action.{action}")), key=P + f"do_{cid}", type="primary"):
        moved = mediation.move(ctx.db, ctx.user, cid, seen, action, outcome=outcome, amount=amount, reason=reason)
        _done(cid, t("mediation.moved", case_no=moved["case_no"], state=_state(ctx, moved["state"])),
              clear=(P + f"outcome_{cid}", P + f"amount_{cid}", P + f"reason_{cid}", P + f"action_{cid}"))


def _edit_parties(ctx: ui.Context, detail: dict, seen: int) -> None:
    t, cid = ctx.t, detail["case"]["id"]
    if not mediation.is_open(detail["case"]):
        st.info(t("mediation.case_closed_parties"))
        return
    by_id = {p["id"]: p for p in detail["parties"]}
    choice = st.selectbox(t("mediation.party_pick"), [None, *by_id], key=P + f"party_pick_{cid}",
                          format_func=lambda i: t("mediation.party_new") if i is None
                          else f"{by_id[i]['name']}（{t('mediation.role.' + by_id[i]['role'])}）")
    prefix = P + f"party_{cid}_{choice or 'new'}_"
    with st.form(P + f"party_form_{cid}_{choice or 'new'}"):
        values = ui_parties.party_inputs(ctx, prefix, party=by_id.get(choice))
        submitted = st.form_submit_button(t("mediation.party_save"), type="primary")
    if submitted:
        if choice is None:
            mediation.add_party(ctx.db, ctx.user, cid, seen, values)
        else:
            mediation.update_party(ctx.db, ctx.user, cid, seen, choice, values)
        _done(cid, t("mediation.party_saved", name=values["name"].strip()), clear=ui_parties.party_keys(prefix))


def _mediator(ctx: ui.Context, detail: dict, seen: int) -> None:
    t, case = ctx.t, detail["case"]
    if not mediation.is_open(case):
        st.info(t("mediation.case_closed_parties"))
        return
    people = {m["id"]: m for m in mediation.list_mediators(ctx.db, ctx.user, case["station_id"])}
    ids = list(people)
    chosen = st.selectbox(t("mediation.col.mediator"), ids, key=P + f"mediator_{case['id']}",
                          index=ids.index(case["mediator_user_id"]) if case["mediator_user_id"] in people else 0,
                          format_func=lambda i: f"{people[i]['name']}（{people[i]['unit_name']}）")
    if st.button(t("mediation.mediator_do"), key=P + f"mediator_do_{case['id']}",
                 disabled=chosen == case["mediator_user_id"]):
        mediation.assign_mediator(ctx.db, ctx.user, case["id"], seen, chosen)
        _done(case["id"], t("mediation.mediator_set", name=people[chosen]["name"]))


def _detail(ctx: ui.Context, case_id: int) -> None:
    t = ctx.t
    try:
        detail = mediation.get_case_detail(ctx.db, ctx.user, case_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    case = detail["case"]
    seen = ui.version_seen(P, case_id, case["version"], t("mediation.changed_meanwhile", case_no=case["case_no"]),
                           t("mediation.reload"))
    st.subheader(f"{ui.inert(case['case_no'])} · {ui.inert(case['title'])}")
    badge = "green" if case["state"] == "settled" else ("blue" if case["is_open"] else "gray")
    abroad = any(p["country"] not in (None, "CN") for p in detail["parties"])
    st.markdown(f":{badge}-badge[{_state(ctx, case['state'])}] :gray-badge[{_dispute(ctx, case['dispute_type'])}]"
                + (f" :orange-badge[:material/public: {t('mediation.abroad')}]" if abroad else ""))
    left, right = st.columns([1.1, 1], gap="large")
    with left:
        _facts(ctx, detail)
        _parties(ctx, detail)
        _sessions(ctx, detail)
    with right:
        tabs = st.tabs([t("mediation.tab.schedule"), t("mediation.tab.record"), t("mediation.tab.move"),
                        t("mediation.tab.parties"), t("mediation.tab.mediator")])
        try:
            with tabs[0]:
                _schedule(ctx, detail, seen)
            with tabs[1]:
                _record(ctx, detail, seen)
            with tabs[2]:
                _moves(ctx, detail, seen)
            with tabs[3]:
                _edit_parties(ctx, detail, seen)
            with tabs[4]:
                _mediator(ctx, detail, seen)
        except mediation.StaleEdit:
            st.error(t("mediation.error.stale"))  # the "changed meanwhile" warning above has the reload button
        except PortalError as exc:
            ui.show_error(ctx, exc)
        _timeline(ctx, detail)


# --- a new case -----------------------------------------------------------------------------------

NEW_KEYS = ("new_station", "new_title", "new_type", "new_summary")


def _new_case(ctx: ui.Context) -> None:
    t, user = ctx.t, ctx.user
    st.caption(t("mediation.new_intro"))
    for message in st.session_state.pop(P + "new_done", []):
        st.success(message)
    with st.form(P + "new_form"):
        station_id = None
        if user.is_district:
            stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
            station_id = st.selectbox(t("mediation.col.station"), list(stations), key=P + "new_station",
                                      format_func=stations.get)
        cols = st.columns([2, 1])
        title = cols[0].text_input(t("mediation.new_title"), key=P + "new_title", max_chars=mediation.TITLE_MAX,
                                   placeholder=t("mediation.new_title_placeholder"))
        dispute_type = cols[1].selectbox(t("mediation.col.type"), taxonomy.codes("dispute_types"),
                                         key=P + "new_type", format_func=lambda c: _dispute(ctx, c))
        summary = st.text_area(t("mediation.summary"), key=P + "new_summary", max_chars=mediation.SUMMARY_MAX,
                               height=110, placeholder=t("mediation.new_summary_placeholder"))
        st.caption(t("mediation.new_parties_help"))
        parties = []
        for n, role in enumerate(NEW_PARTY_ROLES):
            with st.container(border=True):
                parties.append(ui_parties.party_inputs(ctx, P + f"new_p{n}_", role=role))
        submitted = st.form_submit_button(t("mediation.new_submit"), type="primary", key=P + "new_submit")
    if not submitted:
        return
    given = [p for p in parties if p["name"].strip() or p["phone"].strip()]  # empty slots are left out
    try:
        case = mediation.open_case(ctx.db, user, {"title": title, "dispute_type": dispute_type, "summary": summary,
                                                  "station_id": station_id}, given)
    except PortalError as exc:
        ui.show_error(ctx, exc)  # the form keeps what was typed
        return
    st.session_state[P + "new_done"] = [t("mediation.new_done", case_no=case["case_no"])]
    st.session_state[P + "open_next"] = case["id"]  # the list's picker is already drawn in this run
    st.session_state[P + "clear"] = [P + k for k in NEW_KEYS] + [
        k for n in range(len(NEW_PARTY_ROLES)) for k in ui_parties.party_keys(P + f"new_p{n}_")]
    st.rerun()


# --- the page -----------------------------------------------------------------------------------------


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    ui.forget_written_inputs(P)
    wanted = st.query_params.get("case", "")
    if wanted.isdigit():  # a link from the tip the case came from; get_case checks scope when it opens
        st.session_state[P + "pick"] = int(wanted)
        del st.query_params["case"]
    st.title(t("mediation.title"))
    st.caption(t("mediation.intro"))
    tab_cases, tab_new = st.tabs([t("mediation.tab.cases"), t("mediation.tab.new")])
    with tab_cases:
        top = st.container()
        f = _filters(ctx)
        with top:
            _counts(ctx, f["station_id"])
        rows = _list(ctx, f)
        st.divider()
        flash = st.session_state.pop(P + "flash", None)
        if flash:
            st.success(flash)
        case_id = _pick(ctx, rows)
        if case_id is not None:
            _detail(ctx, case_id)
    with tab_new:
        _new_case(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
