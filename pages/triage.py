"""线索研判: the staff side of tips — the queue with its SLA clock, one tip's detail and history,
the moves of the transitions table, replies, notes, expert answers, duplicates, exports, and a
form to log a tip received in a group or by phone.

The open tip is named by the url (``/triage?tip=123``) and the push filter may come from it too
(``/triage?push=174``, from a push's response or the appeal board), so no selectbox labelled with
changing text decides what is shown (issue #10). The queue, its counts and the notice of a new lead
are the page's live part: they refresh every few seconds by themselves without touching what the
clerk is typing in the tip below.

Every write names the version of the tip the clerk was shown (kept in session state per tip), so
a change made meanwhile by someone else is refused with a clear message instead of overwritten.
User text (descriptions, notes, replies, names) is shown with ``st.text`` only, never as
Markdown or HTML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from lib.core import export, files, taxonomy, units
from lib.core.clock import utcnow
from lib.core.errors import NotFoundError, PortalError
from lib.grids import grids, groups
from lib.i18n import i18n
from lib.mediation import mediation
from lib.tips import (
    experts,
    open311,
    reply_templates,
    retention,
    tip_actions,
    tip_clocks,
    tip_duplicates,
    tips,
    triage_queue,
    triage_view,
)
from lib.tips.triage_queue import local_time, sla_text
from lib.ui import ui, ui_parties

P = "triage_"  # widget key prefix of this page
PAGE_SIZES = (25, 50, 100)
ACTIONS = [a for a in tips.TRANSITIONS if a != "mark_duplicate"]  # merging has its own panel
# Material icons come with Streamlit (no emoji font needed on intranet PCs).
EVENT_ICONS = {"created": ":material/inbox:", "state": ":material/swap_horiz:", "assign": ":material/person:",
               "route": ":material/alt_route:", "note": ":material/lock:", "reply": ":material/campaign:",
               "merge": ":material/link:", "expert": ":material/school:", "priority": ":material/priority_high:",
               "mediation_opened": ":material/video_call:", "callback": ":material/call:",
               "addition": ":material/add_comment:"}


def _flash(message: str) -> None:
    st.session_state[P + "flash"] = message


def _done(ctx: ui.Context, tip_id: int, message: str, clear: tuple[str, ...] = ()) -> None:
    """After a successful write: forget the version seen (the next run shows the new one),
    clear the inputs used, say what happened, rerun."""
    st.session_state.pop(P + f"seen_{tip_id}", None)
    st.session_state[P + "clear"] = list(clear)
    _flash(message)
    st.rerun()


def _reset_page() -> None:
    st.session_state[P + "page"] = 1


def _open(tip_id: int | None, *, scroll: bool = False) -> None:
    """Show this tip below the queue (through the url: a reload or a live refresh keeps it), and
    bring it into view when opened from the queue or an alert above it."""
    if tip_id is None:
        st.query_params.pop("tip", None)
        return
    st.query_params["tip"] = str(tip_id)
    if scroll:
        st.session_state[P + "scroll"] = st.session_state.get(P + "scroll", 0) + 1


def _push_from_url() -> None:
    """``?push=174`` (a push's "leads" link): filter by it, in every state — the count then equals
    the push's response figure — once per link followed, so the clerk can still change the filter."""
    push_id = ui.query_id("push")
    if push_id is not None and st.session_state.get(P + "push_param") != push_id:
        st.session_state[P + "push_param"] = push_id
        st.session_state[P + "push"] = push_id
        st.session_state[P + "state"] = "all"
        _reset_page()


# --- filters and counts ---------------------------------------------------------------


def _filters(ctx: ui.Context) -> triage_queue.QueueFilter:
    """The filter row (outside the live part: changing a filter redraws the page)."""
    t, user, db = ctx.t, ctx.user, ctx.db
    all_ = t("triage.filter.all")
    f = triage_queue.QueueFilter()
    cols = st.columns([1.2, 1, 1, 1, 1.2, 0.9, 0.9] if user.is_district else [1, 1, 1, 1.2, 0.9, 0.9])
    cols = list(cols)
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(db, user)}
        ui.preset_from_url("station", P + "station", stations)  # 数据看板's link to a station's tips
        f.station_id = cols.pop(0).selectbox(t("triage.filter.station"), [None, *stations], key=P + "station",
                                             on_change=_reset_page, placeholder=all_,
                                             format_func=lambda i: all_ if i is None else stations[i])
    state = cols[0].selectbox(t("triage.filter.state"), ["open", "all", *tips.state_types(db)], key=P + "state",
                              on_change=_reset_page,
                              format_func=lambda s: t(f"triage.filter.state_{s}") if s in ("open", "all")
                              else t(f"tips.state.{s}"))
    f.open_only = state == "open"
    f.states = () if state in ("open", "all") else (state,)
    f.kind = cols[1].selectbox(t("triage.filter.kind"), [None, *tips.KINDS], key=P + "kind", on_change=_reset_page,
                               placeholder=all_, format_func=lambda k: all_ if k is None else triage_queue.kinds_label(k, ctx.lang))
    f.priority = cols[2].selectbox(t("triage.filter.priority"), [None, *tips.PRIORITIES], key=P + "priority",
                                   on_change=_reset_page, placeholder=all_,
                                   format_func=lambda p: all_ if p is None else t(f"tips.priority.{p}"))
    station = f.station_id or user.station_id
    officers = {o["id"]: o["name"] for o in groups.list_officers(db, user, station)} if station else {}
    f.assignee_user_id = cols[3].selectbox(
        t("triage.filter.assignee"), [None, *officers], key=P + "assignee", on_change=_reset_page,
        disabled=not officers, help=None if officers else t("triage.filter.assignee_help"), placeholder=all_,
        format_func=lambda i: all_ if i is None else (t("triage.me") if i == user.id else officers.get(i, f"#{i}")))
    push = cols[4].number_input(t("triage.filter.push"), min_value=1, step=1, value=None, key=P + "push",
                                on_change=_reset_page, placeholder=t("triage.filter.push_placeholder"))
    f.push_id = int(push) if push else None
    ui.preset_from_url("overdue", P + "overdue", (1,), to=True)  # the workbench's overdue tile: ?overdue=1
    with cols[5]:
        st.write("")  # align the toggle with the inputs' labels
        f.overdue = st.toggle(t("triage.filter.overdue"), key=P + "overdue", on_change=_reset_page)
    return f


def _counts(ctx: ui.Context, f: triage_queue.QueueFilter, now: str) -> None:
    """Open, overdue (red) and new tips of the chosen station (or the user's scope)."""
    t = ctx.t
    overview = triage_queue.queue_counts(ctx.db, ctx.user, triage_queue.QueueFilter(station_id=f.station_id), now=now)
    new = triage_queue.queue_counts(ctx.db, ctx.user, triage_queue.QueueFilter(station_id=f.station_id, states=("new",)),
                            now=now)["total"]
    cols = st.columns(3)
    cols[0].metric(t("triage.metric.open"), ui.fmt_int(overview["total"]), border=True)
    overdue = overview["overdue"]
    cols[1].metric(t("triage.metric.overdue"), ui.fmt_int(overdue), border=True,
                   delta=t("triage.metric.overdue_delta") if overdue else t("triage.metric.overdue_none"),
                   delta_color="inverse" if overdue else "off", delta_arrow="off")
    cols[2].metric(t("triage.metric.new"), ui.fmt_int(new), border=True)


def _alerts(ctx: ui.Context) -> None:
    """A lead on one of the user's active appeals, or an urgent tip, just arrived: a notice that stays
    until opened (toast and sound come with it, see ui.tip_alerts)."""
    t = ctx.t
    pending = ui.tip_alerts(ctx, P + "alerts", sound=st.session_state.get(P + "sound", True))
    if not pending:
        return
    with st.container(border=True, key=P + "alert_box"):
        st.markdown(":red[**" + t("triage.alert.title", n=len(pending)) + "**]")
        cols = st.columns(min(4, len(pending)) + 1)
        for n, tip in enumerate(pending[-4:]):
            if cols[n].button(ui.alert_text(ctx, tip), key=f"{P}alert_open_{tip['id']}", type="primary",
                              icon=":material/campaign:"):
                ui.dismiss_alert(P + "alerts", tip["id"])
                _open(tip["id"], scroll=True)
                st.rerun(scope="app")
        if cols[-1].button(t("triage.alert.dismiss"), key=P + "alert_dismiss"):
            ui.dismiss_alert(P + "alerts")
            st.rerun(scope="fragment")


# --- the queue -------------------------------------------------------------------------


def _queue(ctx: ui.Context, f: triage_queue.QueueFilter, now: str) -> None:
    """The paged table: unanswered leads on active appeals first, then by the time left on the
    clock that runs. A click on a row opens the tip below."""
    t, db, user = ctx.t, ctx.db, ctx.user
    total = triage_queue.queue_counts(db, user, f, now=now)
    cols = st.columns([1, 1, 4])
    page_size = cols[1].selectbox(t("triage.page_size"), PAGE_SIZES, key=P + "page_size", on_change=_reset_page)
    pages = max(1, -(-total["total"] // page_size))
    if st.session_state.get(P + "page", 1) > pages:
        st.session_state[P + "page"] = pages
    page = cols[0].number_input(t("triage.page"), min_value=1, max_value=pages, step=1, key=P + "page")
    cols[2].caption(t("triage.total", total=ui.fmt_int(total["total"]), overdue=ui.fmt_int(total["overdue"]),
                      page=page, pages=pages))
    rows = triage_queue.queue(db, user, f, page=int(page), page_size=page_size, now=now)
    if not rows:
        st.info(t("triage.empty"))
        return
    stations = {s["id"]: s["name"] for s in units.list_stations(db, user)}
    names = triage_view.assignee_names(db, user, rows)
    columns = triage_view.columns(ctx.lang, with_station=user.is_district)
    frame = pd.DataFrame([triage_view.row(r, now, ctx.lang, stations, names) for r in rows],
                         columns=[k for k, _ in columns])
    overdue_rows = frame["sla"].str.startswith("⚠")
    appeal_rows = frame["flag"].str.contains(t("triage.flag.appeal"), regex=False)
    frame.columns = [h for _, h in columns]

    def colour(row):
        if overdue_rows[row.name]:
            return ["background-color: #fde2e1; color: #8a1c1c"] * len(row)
        if appeal_rows[row.name]:
            return ["background-color: #fff4d6"] * len(row)
        return [""] * len(row)

    event = st.dataframe(frame.style.apply(colour, axis=1), hide_index=True, width="stretch",
                         key=ui.table_key(P + "table"), on_select="rerun", selection_mode="single-row",
                         column_config={t("triage.col.id"): st.column_config.NumberColumn(format="%d", width=60),
                                        t("triage.col.flag"): st.column_config.TextColumn(width=70),
                                        t("triage.col.description"): st.column_config.TextColumn(width="large")})
    picked = ui.pick_row(event, [r["id"] for r in rows], P + "table")
    if picked is not None:
        _open(picked, scroll=True)
        st.rerun(scope="app")
    _exports(ctx, f, now, stations, triage_view.columns(ctx.lang, with_station=user.is_district, export=True))


def _live_queue(ctx: ui.Context, filter_values: dict) -> None:
    """The live part: notices, counts, new-lead alerts and the queue, every few seconds."""
    now = utcnow()
    f = triage_queue.QueueFilter(**filter_values)
    ui.show_notices(ctx)
    _alerts(ctx)
    _counts(ctx, f, now)
    _queue(ctx, f, now)
    st.caption(ctx.t("triage.live", s=ui.LIVE_REFRESH_S, at=local_time(now)[11:]))


_live_queue_part = ui.live(_live_queue)


def _exports(ctx: ui.Context, f: triage_queue.QueueFilter, now: str, stations: dict[int, str],
             columns: list[tuple[str, str]]) -> None:
    t, user, lang = ctx.t, ctx.user, ctx.lang
    stamp = dt.date.today().isoformat()

    def rows(db):
        return triage_view.export_rows(db, user, f, now, lang, stations)

    cols = st.columns([1, 1, 1, 3])
    cols[0].download_button(t("triage.export_csv"), key=P + "export_csv", mime="text/csv", on_click="ignore",
                            file_name=f"tips-{stamp}.csv", help=t("triage.export_help"),
                            data=ui.on_demand(lambda db: export.to_csv(rows(db), columns)))
    cols[1].download_button(t("triage.export_xlsx"), key=P + "export_xlsx", on_click="ignore",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            file_name=f"tips-{stamp}.xlsx", help=t("triage.export_help"),
                            data=ui.on_demand(lambda db: export.to_xlsx(rows(db), columns,
                                                                      sheet_title=t("triage.title"))))
    cols[2].download_button(t("triage.export_open311"), key=P + "export_open311", on_click="ignore",
                            mime="application/json", file_name=f"requests-{stamp}.json",
                            help=t("triage.export_open311_help"),
                            data=ui.on_demand(lambda db: open311.to_json(open311.georeport(db, user, f, now=now))))


# --- one tip -----------------------------------------------------------------------------


BADGES = {"addition": ("orange", "triage.event.addition_badge"), "sender": ("blue", "triage.event.public_badge"),
          "internal": ("gray", "triage.event.internal_badge")}  # who can read the line's text


def _event_line(ctx: ui.Context, event: dict, stations: dict[int, str]) -> None:
    line = triage_view.event_line(event, ctx.lang, stations, escape=ui.inert)
    colour, key = BADGES.get(line.audience, ("", ""))
    badge = f":{colour}-badge[{ctx.t(key)}]" if key else ""
    st.markdown(f"{EVENT_ICONS.get(line.kind, '•')} **{line.what}** {badge}  \n"
                f":gray[{line.at} · {ui.inert(line.who)}]")
    if line.text:
        st.text(line.text)


def _history(ctx: ui.Context, tip_id: int, stations: dict[int, str]) -> None:
    st.markdown("**" + ctx.t("triage.history") + "**")
    st.caption(ctx.t("triage.history_help"))
    for event in reversed(tips.events(ctx.db, ctx.user, tip_id)):
        with st.container(border=True):
            _event_line(ctx, event, stations)


def _facts(ctx: ui.Context, tip: dict, now: str, stations: dict[int, str]) -> None:
    """What the tip says: description, place, time, photos (plain text only)."""
    t = ctx.t
    st.markdown("**" + t("triage.description") + "**")
    if tip["erased_at"]:
        st.info(t("triage.erased", at=local_time(tip["erased_at"]), years=retention.retention_years()))
    else:
        st.text(tip["description"])
    facts = [(t("triage.place"), tip["location_text"] or t("triage.none")),
             (t("triage.coordinates"), f"{tip['lat']:.5f}, {tip['lon']:.5f}" if tip["lat"] is not None
              else t("triage.none")),
             (t("triage.happened_at"), tip["happened_at"] or t("triage.none")),
             (t("triage.col.created"), local_time(tip["created_at"])),
             (t("triage.col.due"), local_time(tip["due_at"])),
             (t("triage.col.channel"), t(f"tips.channel.{tip['channel']}")),
             (t("triage.col.station"), stations.get(tip["station_id"], t("triage.unrouted"))),
             (t("triage.push"), f"#{tip['push_id']}" if tip["push_id"] else t("triage.none")),
             (t("triage.col.resolve_at"), local_time(tip["resolve_due_at"]))]
    if tip["duplicate_of"]:
        facts.append((t("triage.duplicate_of"), f"#{tip['duplicate_of']}"))
    st.text("\n".join(f"{label}：{value}" for label, value in facts))
    ids = tips.photo_ids(ctx.db, ctx.user, tip["id"])  # scope checked there
    if ids:
        st.markdown("**" + t("triage.photos", n=len(ids)) + "**")
        cols = st.columns(3)
        for n, file_id in enumerate(ids):
            try:
                data, _mime = files.read_file(ctx.db, ctx.user, file_id)
            except (NotFoundError, OSError):
                cols[n % 3].caption(t("triage.photo_missing"))
                continue
            cols[n % 3].image(data, width="stretch")


def _moves(ctx: ui.Context, tip: dict, seen: int, officers: list[dict]) -> None:
    """The moves the transitions table allows from the tip's state."""
    t, tid = ctx.t, tip["id"]
    allowed = [a for a in ACTIONS if tip["state"] in tips.TRANSITIONS[a][0]]
    if not allowed:
        st.info(t("triage.no_moves", state=t(f"tips.state.{tip['state']}")))
        return
    action = st.radio(t("triage.action"), allowed, key=P + f"action_{tid}", horizontal=True,
                      format_func=lambda a: t(f"triage.action.{a}"))
    st.caption(t(f"triage.action_help.{action}"))
    assignee = reason = None
    if action == "assign":
        if not officers:
            st.warning(t("triage.no_officers"))
            return
        ids = [o["id"] for o in officers]
        default = ids.index(tip["assignee_user_id"]) if tip["assignee_user_id"] in ids else \
            (ids.index(ctx.user.id) if ctx.user.id in ids else 0)
        assignee = st.selectbox(t("triage.assignee"), ids, index=default, key=P + f"assignee_{tid}",
                                format_func=lambda i: next(f"{o['name']}（{o['unit_name']}）" for o in officers
                                                           if o["id"] == i))
    if action in tips.NEEDS_REASON:
        reason = st.text_input(t("triage.reason"), key=P + f"reason_{tid}", max_chars=200,
                               placeholder=t(f"triage.reason_placeholder.{action}"))
    if st.button(t("triage.do", action=t(f"triage.action.{action}")), key=P + f"do_{tid}", type="primary"):
        tips.move(ctx.db, ctx.user, tid, seen, action, reason=reason or "", assignee_user_id=assignee)
        _done(ctx, tid, t("triage.moved", id=tid, state=t(f"tips.state.{tips.TRANSITIONS[action][1]}")),
              clear=(P + f"reason_{tid}", P + f"action_{tid}"))


def _priority_and_route(ctx: ui.Context, tip: dict, seen: int) -> None:
    t, tid, user = ctx.t, tip["id"], ctx.user
    cols = st.columns([2, 1])
    priority = cols[0].selectbox(t("triage.priority"), tips.PRIORITIES, key=P + f"priority_{tid}",
                                 index=tips.PRIORITIES.index(tip["priority"]),
                                 format_func=lambda p: t(f"tips.priority.{p}"))
    cols[1].write("")
    if cols[1].button(t("triage.set_priority"), key=P + f"set_priority_{tid}", disabled=priority == tip["priority"]):
        tips.set_priority(ctx.db, user, tid, seen, priority)
        _done(ctx, tid, t("triage.priority_set", priority=t(f"tips.priority.{priority}")),
              clear=(P + f"priority_{tid}",))
    targets = tips.reroute_targets(ctx.db, user, tip)
    if targets:  # the district center routes what no grid placed; a station admin sends on what is not theirs
        with st.expander(t("triage.reroute"), expanded=tip["station_id"] is None):
            target = st.selectbox(t("triage.reroute_to"), list(targets), key=P + f"reroute_to_{tid}",
                                  format_func=lambda s: targets[s] or t("triage.reroute_center"))
            reason = st.text_input(t("triage.reason"), key=P + f"reroute_reason_{tid}", max_chars=200,
                                   placeholder=t("triage.reroute_reason_placeholder"))
            if st.button(t("triage.reroute_do"), key=P + f"reroute_{tid}"):
                tips.reroute(ctx.db, user, tid, seen, target, reason)
                _done(ctx, tid, t("triage.rerouted", id=tid), clear=(P + f"reroute_reason_{tid}",))


def _contact(ctx: ui.Context, tip: dict) -> None:
    t = ctx.t
    if not tips.may_see_contact(ctx.user, tip):
        st.caption(":material/lock: " + t("tips.error.contact_hidden"))
        return
    if st.button(t("triage.contact_show"), key=P + f"contact_{tip['id']}", help=t("triage.contact_help")):
        row = tips.contact_of(ctx.db, ctx.user, tip["id"])  # audited by lib
        if row["is_anonymous"] or not row["contact_phone"]:
            st.info(t("triage.contact_anonymous"))
        else:
            st.text(f"{t('triage.contact_name')}：{row['contact_name'] or '—'}\n"
                    f"{t('triage.contact_phone')}：{row['contact_phone']}")
            st.caption(t("triage.contact_audited"))


def _fill_template(template_key: str, text_key: str, bodies: dict[int, str]) -> None:
    chosen = st.session_state.get(template_key)
    if chosen is not None:
        st.session_state[text_key] = bodies[chosen]


def _quick(ctx: ui.Context, tip: dict, seen: int, officers: list[dict]) -> None:
    """快速办理: a template, then one action — reply and resolve, reply only, or assign and reply.
    A routine tip is handled in four clicks: open it, pick a template (two), 答复并办结."""
    t, tid, user = ctx.t, tip["id"], ctx.user
    templates = reply_templates.list_templates(ctx.db, user, tip["kind"])
    bodies = {r["id"]: r["body"] for r in templates}
    titles = {r["id"]: r["title"] for r in templates}
    st.caption(t("triage.quick_help"))
    st.selectbox(t("triage.template"), [None, *bodies], key=P + f"template_{tid}",
                 format_func=lambda i: t("triage.template_none") if i is None else titles.get(i, f"#{i}"),
                 on_change=_fill_template, args=(P + f"template_{tid}", P + f"reply_{tid}", bodies),
                 placeholder=t("triage.template_none"))
    # Buttons stay enabled while typing: a text area reports its value only when it loses focus,
    # so a button disabled "until there is text" would swallow the first click. lib refuses empty text.
    text = st.text_area(t("triage.reply_text"), key=P + f"reply_{tid}", max_chars=1000, height=120,
                        help=t("triage.reply_help"))
    clear = (P + f"reply_{tid}", P + f"template_{tid}")
    cols = st.columns(2)
    if tip["state"] in tips.TRANSITIONS["resolve"][0] and cols[0].button(
            t("triage.reply_resolve"), key=P + f"reply_resolve_{tid}", type="primary", width="stretch"):
        tip_actions.reply_and_resolve(ctx.db, user, tid, seen, text)
        _done(ctx, tid, t("triage.reply_resolved", id=tid), clear=clear)
    if cols[1].button(t("triage.reply_send"), key=P + f"reply_send_{tid}", width="stretch"):
        tips.add_note(ctx.db, user, tid, text, public=True)
        _done(ctx, tid, t("triage.reply_sent"), clear=clear)
    if officers and tip["state"] in tips.TRANSITIONS["assign"][0]:
        ids = [o["id"] for o in officers]
        default = ids.index(tip["assignee_user_id"]) if tip["assignee_user_id"] in ids else \
            (ids.index(user.id) if user.id in ids else 0)
        cols = st.columns([2, 1], vertical_alignment="bottom")
        assignee = cols[0].selectbox(t("triage.assignee"), ids, index=default, key=P + f"quick_assignee_{tid}",
                                     format_func=lambda i: next((f"{o['name']}（{o['unit_name']}）" for o in officers
                                                                 if o["id"] == i), f"#{i}"))
        if cols[1].button(t("triage.assign_reply"), key=P + f"assign_reply_{tid}", width="stretch"):
            tip_actions.assign_and_reply(ctx.db, user, tid, seen, assignee, text)
            _done(ctx, tid, t("triage.assigned_replied", id=tid), clear=clear + (P + f"quick_assignee_{tid}",))


def _notes_and_calls(ctx: ui.Context, tip: dict) -> None:
    """The sender's contact (audited), a call-back log (it answers the sender: the clock stops), notes."""
    t, tid = ctx.t, tip["id"]
    _contact(ctx, tip)
    st.markdown(":material/call: **" + t("triage.callback") + "**")
    st.caption(t("triage.callback_help"))
    call = st.text_input(t("triage.callback_text"), key=P + f"callback_{tid}", max_chars=tip_actions.CALLBACK_MAX,
                         placeholder=t("triage.callback_placeholder"))
    if st.button(t("triage.callback_add"), key=P + f"callback_add_{tid}"):
        tip_actions.log_callback(ctx.db, ctx.user, tid, call)
        _done(ctx, tid, t("triage.callback_added"), clear=(P + f"callback_{tid}",))
    st.divider()
    st.markdown(":material/lock: **" + t("triage.note") + "**")
    st.caption(t("triage.note_help"))
    note = st.text_area(t("triage.note_text"), key=P + f"note_{tid}", max_chars=1000, height=90)
    if st.button(t("triage.note_add"), key=P + f"note_add_{tid}"):
        tips.add_note(ctx.db, ctx.user, tid, note, public=False)
        _done(ctx, tid, t("triage.note_added"), clear=(P + f"note_{tid}",))


def _expert(ctx: ui.Context, tip: dict) -> None:
    t, tid = ctx.t, tip["id"]
    st.caption(t("experts.help"))
    cols = st.columns(2)
    field = cols[0].selectbox(t("experts.field"), [None, *experts.FIELDS], key=P + f"expert_field_{tid}",
                              format_func=lambda f: t("triage.filter.all") if f is None else t(f"experts.field.{f}"))
    text = cols[1].text_input(t("experts.search"), key=P + f"expert_q_{tid}", max_chars=40)
    found = experts.search_experts(ctx.db, ctx.user, field=field, text=text, limit=50)
    if not found:
        st.info(t("experts.none"))
        return
    by_id = {e["id"]: e for e in found}
    expert_id = st.selectbox(t("experts.pick"), list(by_id), key=P + f"expert_{tid}",
                             format_func=lambda i: f"{by_id[i]['name']} · {t('experts.field.' + by_id[i]['field'])}"
                                                   f" · {by_id[i]['organization'] or ''}")
    chosen = by_id[expert_id]
    st.text(f"{t('experts.phone')}：{chosen['phone'] or '—'}\n{t('experts.note')}：{chosen['note'] or '—'}")
    answer = st.text_area(t("experts.answer"), key=P + f"expert_answer_{tid}", max_chars=experts.ANSWER_MAX,
                          height=110, placeholder=t("experts.answer_placeholder"))
    if st.button(t("experts.attach"), key=P + f"expert_attach_{tid}"):
        experts.attach_expert(ctx.db, ctx.user, tid, expert_id, answer)
        _done(ctx, tid, t("experts.attached", name=chosen["name"]), clear=(P + f"expert_answer_{tid}",))


def _duplicates(ctx: ui.Context, tip: dict, seen: int, candidates: list[dict]) -> None:
    t, tid = ctx.t, tip["id"]
    st.caption(t("dup.help", pct=round(tip_duplicates.THRESHOLD * 100)))
    if not candidates:
        st.info(t("dup.none"))
        return
    mergeable = tips.TRANSITIONS["mark_duplicate"][0]
    can_merge = tip["state"] in mergeable
    if not can_merge:
        st.info(t("dup.cannot_merge", state=t(f"tips.state.{tip['state']}")))
    for c in candidates:
        with st.container(border=True):
            reasons = " · ".join(t(key, **{k: ui.inert(v) for k, v in params.items()}) for key, params in c["reasons"])
            st.markdown(f"**#{c['id']}** · {triage_queue.kinds_label(c['kind'], ctx.lang)} · {t('tips.state.' + c['state'])}"
                        f" · :orange-badge[{t('dup.score', pct=round(c['score'] * 100))}]  \n:gray[{reasons}]")
            st.text(" ".join(c["description"].split())[:200])
            cols = st.columns(2)
            # Either way round: the clerk keeps the tip with the better description or the photos.
            if can_merge and cols[0].button(t("dup.merge", id=c["id"]), key=P + f"merge_{tid}_{c['id']}",
                                            help=t("dup.merge_help", id=c["id"])):
                tip_duplicates.merge(ctx.db, ctx.user, tid, seen, c["id"])
                _done(ctx, tid, t("dup.merged", id=tid, into=c["id"]))
            if c["state"] in mergeable and cols[1].button(t("dup.merge_here", id=c["id"]),
                                                          key=P + f"merge_here_{tid}_{c['id']}",
                                                          help=t("dup.merge_here_help", id=c["id"])):
                tip_duplicates.merge(ctx.db, ctx.user, c["id"], c["version"], tid)
                _done(ctx, tid, t("dup.merged", id=c["id"], into=tid))


def _mediation(ctx: ui.Context, tip: dict, seen: int) -> None:
    """A dispute reported as a tip becomes a remote video mediation case of the tip's station."""
    t, tid = ctx.t, tip["id"]
    case = mediation.open_case_of_tip(ctx.db, ctx.user, tid)
    if case is not None:
        st.info(t("triage.mediation.has_case", case_no=ui.inert(case["case_no"]),
                  state=t(f"mediation.state.{case['state']}")))
        ui.page_link(ctx, "mediation", t("triage.mediation.open"), icon=":material/video_call:",
                     query_params={"case": case["id"]})
        return
    if tip["station_id"] is None or tip["state"] == "duplicate":
        st.caption(t("triage.mediation.not_now"))
        return
    st.caption(t("triage.mediation.help"))
    with st.form(P + f"mediation_form_{tid}"):
        cols = st.columns([2, 1])
        title = cols[0].text_input(t("mediation.new_title"), key=P + f"mediation_title_{tid}",
                                   max_chars=mediation.TITLE_MAX, placeholder=" ".join(tip["description"].split())[:24])
        dispute_type = cols[1].selectbox(t("mediation.col.type"), taxonomy.codes("dispute_types"),
                                         key=P + f"mediation_type_{tid}",
                                         format_func=lambda c: i18n.term("dispute_types", c, ctx.lang))
        parties = []
        for role in ("applicant", "respondent"):
            with st.container(border=True):
                parties.append(ui_parties.party_inputs(ctx, P + f"mediation_{role}_{tid}_", role=role))
        submitted = st.form_submit_button(t("triage.mediation.submit"), type="primary")
    if submitted:
        given = [p for p in parties if p["name"].strip() or p["phone"].strip()]
        made = mediation.open_from_tip(ctx.db, ctx.user, tid, seen, {"title": title, "dispute_type": dispute_type},
                                       given)
        _done(ctx, tid, t("triage.mediation.done", case_no=made["case_no"]),
              clear=(P + f"mediation_title_{tid}",) + tuple(
                  k for role in ("applicant", "respondent")
                  for k in ui_parties.party_keys(P + f"mediation_{role}_{tid}_")))


def _detail(ctx: ui.Context, tip_id: int, now: str) -> None:
    t, db, user = ctx.t, ctx.db, ctx.user
    try:
        tip = tips.get_tip(db, user, tip_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    seen = ui.version_seen(P, tip_id, tip["version"], t("triage.changed_meanwhile", id=tip_id), t("triage.reload"))
    stations = {s["id"]: s["name"] for s in units.list_stations(db, user)}
    overdue = triage_queue.is_overdue(tip, now)
    st.subheader(f"{'⚠ ' if overdue else ''}#{tip['id']} · {triage_queue.kinds_label(tip['kind'], ctx.lang)}"
                 f" · {t('tips.state.' + tip['state'])}")
    sla = sla_text(tip, now, ctx.lang)
    resolve = tip_clocks.resolution_text(tip, now, ctx.lang)
    badge = "red" if overdue else ("orange" if tip["priority"] in ("urgent", "high") else "gray")
    assignee_name = ""
    officers = groups.list_officers(db, user, tip["station_id"]) if tip["station_id"] else []
    if tip["assignee_user_id"]:
        assignee_name = next((o["name"] for o in officers if o["id"] == tip["assignee_user_id"]),
                             f"#{tip['assignee_user_id']}")
    late = tip_clocks.resolution_minutes_left(tip, now)
    st.markdown(f":{badge}-badge[{t('triage.col.sla')}：{sla}] "
                f":{'red' if late is not None and late < 0 else 'gray'}-badge[{t('triage.col.resolve')}：{resolve}] "
                f":{badge}-badge[{t('triage.col.priority')}：{t('tips.priority.' + tip['priority'])}] "
                f":gray-badge[{t('triage.col.assignee')}：{ui.inert(assignee_name) or t('triage.unassigned')}]")
    if tip["push_id"]:
        ui.page_link(ctx, "pushes", t("triage.from_push", id=tip["push_id"]), icon=":material/campaign:",
                     query_params={"push": tip["push_id"]})
    candidates = tip_duplicates.likely_duplicates(db, user, tip_id) if tip["state"] != "duplicate" else []
    left, right = st.columns([1.1, 1], gap="large")
    with left:
        _facts(ctx, tip, now, stations)
        _history(ctx, tip_id, stations)
    with right:
        tabs = st.tabs([t("triage.tab.quick"), t("triage.tab.work"), t("triage.tab.calls"), t("triage.tab.expert"),
                        t("triage.tab.duplicates", n=len(candidates)), t("triage.tab.mediation")])
        try:
            with tabs[0]:
                _quick(ctx, tip, seen, officers)
            with tabs[1]:
                _moves(ctx, tip, seen, officers)
                st.divider()
                _priority_and_route(ctx, tip, seen)
            with tabs[2]:
                _notes_and_calls(ctx, tip)
            with tabs[3]:
                _expert(ctx, tip)
            with tabs[4]:
                _duplicates(ctx, tip, seen, candidates)
            with tabs[5]:
                _mediation(ctx, tip, seen)
        except tips.StaleEdit:
            # The "changed meanwhile" warning above carries the reload button.
            st.error(t("tips.error.stale"))
        except PortalError as exc:
            ui.show_error(ctx, exc)


# --- logging a tip received in a group or by phone -------------------------------------------

LOG_FIELDS = {"kind": "triage.log.kind", "description": "triage.log.description", "location_text": "triage.log.place",
              "grid_id": "triage.log.grid", "happened_at": "triage.log.happened_at",
              "contact_phone": "triage.log.phone", "contact_name": "triage.log.name", "consent": "triage.log.consent",
              "lat": "triage.log.grid", "push_id": "triage.log.push"}


LOG_KEYS = ("log_grid_q", "log_grid", "log_channel", "log_kind", "log_priority", "log_description", "log_place",
            "log_happened", "log_push", "log_anonymous", "log_name", "log_phone", "log_consent")


def _log_form(ctx: ui.Context) -> None:
    t, db, user = ctx.t, ctx.db, ctx.user
    st.caption(t("triage.log.intro"))
    for message in st.session_state.pop(P + "log_done", []):
        st.success(message)
    cols = st.columns(2)
    query = cols[0].text_input(t("triage.log.grid_search"), key=P + "log_grid_q", max_chars=40,
                               placeholder=t("triage.log.grid_search_placeholder"))
    grids_found = {g["id"]: f"{g['name']}（{g['code']}）" for g in
                   grids.search_grids(db, user, query, limit=50)}
    grid_id = cols[1].selectbox(t("triage.log.grid"), [None, *grids_found], key=P + "log_grid",
                                format_func=lambda i: t("triage.log.grid_none") if i is None else grids_found[i])
    with st.form(P + "log_form"):
        cols = st.columns(3)
        channel = cols[0].radio(t("triage.log.channel"), ("phone", "group", "walk_in"), horizontal=True,
                                key=P + "log_channel", format_func=lambda c: t(f"tips.channel.{c}"))
        kind = cols[1].selectbox(t("triage.log.kind"), tips.KINDS, key=P + "log_kind",
                                 format_func=lambda k: triage_queue.kinds_label(k, ctx.lang))
        priority = cols[2].selectbox(t("triage.log.priority"), [None, *tips.PRIORITIES], key=P + "log_priority",
                                     format_func=lambda p: t("triage.log.priority_auto") if p is None
                                     else t(f"tips.priority.{p}"))
        description = st.text_area(t("triage.log.description"), key=P + "log_description",
                                   max_chars=tips.DESCRIPTION_MAX, height=120)
        cols = st.columns(3)
        place = cols[0].text_input(t("triage.log.place"), key=P + "log_place", max_chars=tips.LOCATION_MAX)
        happened = cols[1].text_input(t("triage.log.happened_at"), key=P + "log_happened", max_chars=16,
                                      placeholder="2026-11-28 18:30")
        push = cols[2].number_input(t("triage.log.push"), min_value=1, step=1, value=None, key=P + "log_push")
        cols = st.columns([1, 1, 1])
        anonymous = cols[0].checkbox(t("triage.log.anonymous"), key=P + "log_anonymous")
        name = cols[1].text_input(t("triage.log.name"), key=P + "log_name", max_chars=tips.NAME_MAX)
        phone = cols[2].text_input(t("triage.log.phone"), key=P + "log_phone", max_chars=20)
        consent = st.checkbox(t("triage.log.consent"), key=P + "log_consent")
        submitted = st.form_submit_button(t("triage.log.submit"), type="primary", key=P + "log_submit")
    if not submitted:
        return
    values = tips.TipInput(kind=kind, description=description, location_text=place, grid_id=grid_id,
                           happened_at=happened.strip() or None, is_anonymous=anonymous, contact_name=name,
                           contact_phone=phone, push_id=int(push) if push else None, channel=channel,
                           consent=consent)
    try:
        made = tips.create_tip(db, values, user=user, priority=priority)
    except tips.TipErrors as exc:
        st.error(t("tips.error.fields"))
        for field, (key, params) in exc.errors.items():
            st.error(f"{t(LOG_FIELDS.get(field, 'triage.log.description'))}：{t(key, **params)}")
        return
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    # An empty form for the next call (a kept form invites logging the same tip twice).
    st.session_state[P + "log_done"] = [t("triage.log.done", id=made["id"], code=tips.format_code(made["tracking_code"]))]
    if made["station_id"] is None:
        st.session_state[P + "log_done"].append(t("triage.log.unrouted"))
    st.session_state[P + "clear"] = [P + k for k in LOG_KEYS]
    st.rerun()


# --- the page ------------------------------------------------------------------------------


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    ui.forget_written_inputs(P)
    _push_from_url()
    st.title(t("triage.title"))
    st.caption(t("triage.intro"))
    tab_queue, tab_log = st.tabs([t("triage.tab.queue"), t("triage.tab.log")])
    with tab_queue:
        f = _filters(ctx)
        _live_queue_part(dataclasses.asdict(f))
        st.divider()
        flash = st.session_state.pop(P + "flash", None)
        if flash:
            st.success(flash)
        cols = st.columns([1, 1, 3], vertical_alignment="bottom")
        cols[0].number_input(t("triage.open_id"), min_value=1, step=1, value=None, key=P + "open_id",
                             on_change=lambda: _open(st.session_state.get(P + "open_id")))
        cols[1].toggle(t("triage.sound"), key=P + "sound", value=True, help=t("triage.sound_help"))
        tip_id = ui.query_id("tip")
        if tip_id is None:
            st.caption(t("triage.pick_hint"))
        else:
            with st.container(key=P + "detail"):
                _detail(ctx, tip_id, utcnow())
            if st.session_state.get(P + "scroll"):
                ui.scroll_to(P + "detail", f"{tip_id}:{st.session_state[P + 'scroll']}")
    with tab_log:
        _log_form(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
