"""协查看板 (url path ``appeals``): every active appeal as a race against the 20-minute mark.

The cards are the page's live part (they refresh by themselves every ``ui.LIVE_REFRESH_S``
seconds); a new lead shows as a toast, with a chime if the user turned the sound on. Closing an
appeal then offers its follow-up push, drawn outside the live part so that it stays put.
"""

from __future__ import annotations

import streamlit as st

from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.pushes import appeals
from lib.tips import sla, triage_queue
from lib.ui import ui

P = "board_"
# The cards' figures a size smaller than a page's headline metrics: four fit side by side.
CSS = """<style>
div[class*="st-key-board_"][class*="_card"] div[data-testid="stMetricValue"] { font-size: 1.7rem; }
</style>"""
SOUND = P + "sound_on"  # the "提示音" choice, kept for the session (a widget's own key is dropped off-page)
SEEN = P + "seen"  # push id → leads counted at the last refresh, to tell new leads
CLOSED = P + "closed"  # the appeal just closed: {"id", "title", "outcome", "groups"}
FOLLOW_UP = P + "follow_up"  # the follow-up draft just made: {"id", "title"}


def _span(ctx: ui.Context, minutes: int) -> str:
    """A duration short enough for a card: minutes are dropped beyond a day ('5 天 16 小时')."""
    return sla.format_minutes(minutes if minutes < 24 * 60 else minutes // 60 * 60, ctx.lang)


def _kind(ctx: ui.Context, row: dict) -> str:
    if row["appeal_kind"]:
        return i18n.term("appeal_kinds", row["appeal_kind"], ctx.lang)
    return i18n.term("push_categories", "appeal", ctx.lang)


def mark_badge(ctx: ui.Context, row: dict) -> str:
    """The distance from the 20-minute mark as a coloured badge: green when the first lead came
    in time, orange while waiting within it, red once past it without a lead, grey for a first
    lead that came late (the race is over, the appeal still runs)."""
    t, mark, delta = ctx.t, appeals.MARK_MINUTES, row["mark_delta"]
    if row["first_lead_minutes"] is not None:
        if delta < 0:
            return f":green-badge[:material/check_circle: {t('board.mark.faster', mark=mark, span=_span(ctx, -delta))}]"
        if delta == 0:
            return f":green-badge[:material/check_circle: {t('board.mark.on_mark', mark=mark)}]"
        return f":gray-badge[:material/schedule: {t('board.mark.slower', mark=mark, span=_span(ctx, delta))}]"
    if delta < 0:
        return f":orange-badge[:material/hourglass_top: {t('board.mark.waiting', mark=mark, span=_span(ctx, -delta))}]"
    if delta == 0:
        return f":red-badge[:material/alarm: {t('board.mark.reached', mark=mark)}]"
    return f":red-badge[:material/alarm: {t('board.mark.over', mark=mark, span=_span(ctx, delta))}]"


# --- the live part: the cards ---------------------------------------------------------------------


def _announce(ctx: ui.Context, rows: list[dict]) -> None:
    """Toast the leads that arrived since the last refresh (none on the page's first draw), and
    chime if the sound is on."""
    seen = st.session_state.get(SEEN)
    st.session_state[SEEN] = {r["id"]: r["leads"] for r in rows}
    if seen is None:
        return
    arrived = False
    for r in rows:
        before = seen.get(r["id"], 0)
        if r["leads"] <= before:
            continue
        arrived = True
        title = ui.inert(r["title"])
        if before == 0 and r["first_lead_minutes"] is not None:
            st.toast(ctx.t("board.toast.first_lead", title=title, span=_span(ctx, r["first_lead_minutes"])),
                     icon=":material/target:", duration="long")
        else:
            st.toast(ctx.t("board.toast.new_leads", title=title, n=r["leads"] - before, total=r["leads"]),
                     icon=":material/mark_email_unread:", duration="long")
    if arrived:
        st.session_state[P + "chimes"] = st.session_state.get(P + "chimes", 0) + 1
    if st.session_state.get(SOUND):
        ui.chime("appeal_board", f"leads-{st.session_state.get(P + 'chimes', 0)}")


def _card(ctx: ui.Context, r: dict) -> None:
    t, pid = ctx.t, r["id"]
    with st.container(border=True, key=P + f"{pid}_card"):
        head, badge = st.columns([3, 2], vertical_alignment="top")
        head.markdown(f"##### {ui.inert(r['title'])}")
        station = r["station_name"] or t("board.district")
        head.caption(t("board.sent_line", kind=_kind(ctx, r), station=ui.inert(station),
                       at=triage_queue.local_time(r["sent_at"]), id=pid))
        badge.markdown(mark_badge(ctx, r), text_alignment="right")

        c = st.columns(4)
        c[0].metric(t("board.sent_for"), t("board.sent_ago", span=_span(ctx, r["minutes_since_sent"])))
        c[1].metric(t("board.reach"), t("board.reach_groups", n=ui.fmt_int(r["groups_targeted"])),
                    delta=t("board.reach_members", n=ui.fmt_int(r["members_targeted"])), delta_color="off",
                    delta_arrow="off")
        c[2].metric(t("board.leads"), t("board.leads_value", n=ui.fmt_int(r["leads"])),
                    delta=(t("board.unanswered", n=r["unanswered"]) if r["unanswered"]
                           else t("board.all_answered") if r["leads"] else None),
                    delta_color="inverse" if r["unanswered"] else "off", delta_arrow="off")
        c[3].metric(t("board.first_lead"), t("board.no_lead") if r["first_lead_minutes"] is None
                    else t("board.first_lead_value", span=_span(ctx, r["first_lead_minutes"])),
                    help=t("board.first_lead_help"))

        if r["deliveries_total"]:
            st.progress(min(1.0, r["deliveries_done"] / r["deliveries_total"]),
                        text=t("board.delivery", done=ui.fmt_int(r["deliveries_done"]),
                               total=ui.fmt_int(r["deliveries_total"])))
        else:
            st.caption(t("board.delivery_none"))

        links, close = st.columns([1, 1], vertical_alignment="top")
        ui.page_link(ctx, "triage", t("board.to_leads", n=r["leads"]), icon=":material/fact_check:",
                     query_params={"push": pid}, container=links)
        if r["may_close"]:
            with close:
                _close_form(ctx, r)


def _close_form(ctx: ui.Context, r: dict) -> None:
    """Closing with an outcome and a note, in the card. A form: what is chosen and typed stays
    in the browser until "确认结束", whatever the refreshes in between."""
    t, pid = ctx.t, r["id"]
    with st.expander(t("board.close"), icon=":material/flag:", key=P + f"{pid}_close_open"):
        with st.form(P + f"{pid}_close_form", border=False, enter_to_submit=False):
            # No outcome chosen beforehand: closing says something to the public, so it is picked, not defaulted.
            outcome = st.radio(t("board.outcome"), appeals.OUTCOMES, index=None, key=P + f"{pid}_outcome",
                               horizontal=True, format_func=lambda o: t(f"board.outcome.{o}"))
            note = st.text_input(t("board.note"), key=P + f"{pid}_note", max_chars=appeals.NOTE_MAX,
                                 placeholder=t("board.note_placeholder"))
            st.caption(t("board.close_intro"))
            confirm = st.form_submit_button(t("board.confirm"), type="primary", key=P + f"{pid}_confirm")
    if confirm:
        try:
            appeals.close(ctx.db, ctx.user, pid, outcome, note)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        st.session_state[CLOSED] = {"id": pid, "title": r["title"], "outcome": outcome,
                                    "groups": r["groups_targeted"]}
        st.session_state.pop(FOLLOW_UP, None)
        st.rerun()  # the whole page: the card leaves, the follow-up offer appears above


def _board(ctx: ui.Context) -> None:
    rows = appeals.board(ctx.db, ctx.user)
    _announce(ctx, rows)
    if not rows:
        st.info(ctx.t("board.empty"))
        st.markdown(ctx.t("board.empty_how", mark=appeals.MARK_MINUTES))
        ui.page_link(ctx, "compose", ctx.t("board.to_compose"), icon=":material/campaign:")
        return
    st.caption(ctx.t("board.count", n=len(rows)))
    for r in rows:
        _card(ctx, r)


_live_board = ui.live(_board)


# --- after closing: the follow-up ---------------------------------------------------------------


def _after_close(ctx: ui.Context) -> None:
    t = ctx.t
    made = st.session_state.get(FOLLOW_UP)
    if made:
        with st.container(border=True, key=P + "follow_up_box"):
            st.success(t("board.follow_up_made", title=ui.inert(made["title"]), id=made["id"]))
            row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
            ui.page_link(ctx, "compose", t("board.follow_up_open"), icon=":material/edit:",
                         query_params={"push": made["id"]}, container=row)
            if row.button(t("board.dismiss"), key=P + "follow_up_dismiss"):
                st.session_state.pop(FOLLOW_UP, None)
                st.rerun()
        return
    closed = st.session_state.get(CLOSED)
    if not closed:
        return
    with st.container(border=True, key=P + "closed_box"):
        st.success(t("board.closed", title=ui.inert(closed["title"]), outcome=t(f"board.outcome.{closed['outcome']}")))
        st.markdown(t("board.follow_up_offer", groups=ui.fmt_int(closed["groups"])))
        row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
        make = row.button(t(f"board.follow_up.{closed['outcome']}"), type="primary",
                          key=P + f"{closed['id']}_follow_up", icon=":material/campaign:")
        skip = row.button(t("board.follow_up_skip"), key=P + f"{closed['id']}_follow_up_skip")
    if skip:
        st.session_state.pop(CLOSED, None)
        st.rerun()
    if make:
        try:
            draft = appeals.follow_up(ctx.db, ctx.user, closed["id"])
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        st.session_state.pop(CLOSED, None)
        st.session_state[FOLLOW_UP] = {"id": draft["id"], "title": draft["title"]}
        st.rerun()


def _remember_sound() -> None:
    st.session_state[SOUND] = st.session_state[P + "sound"]


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    head, sound = st.columns([5, 1], vertical_alignment="bottom")
    head.title(t("board.title"))
    sound.toggle(t("board.sound"), value=st.session_state.get(SOUND, False), key=P + "sound",
                 on_change=_remember_sound, help=t("board.sound_help"))
    st.caption(t("board.intro", mark=appeals.MARK_MINUTES))
    # The close form does not submit on Enter: its note's lone hint span is the counter.
    st.html(CSS + ui.keep_counters_css('[data-testid="stForm"]:has([class*="st-key-board_"][class*="_confirm"])'))
    _after_close(ctx)
    _live_board()


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
