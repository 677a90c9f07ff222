"""工作台: what waits for the user — live (new leads on active appeals, open and overdue tips,
pushes to review, their own pushes and what happened to them) — and the figures of their scope."""

import pandas as pd
import streamlit as st

from lib.core import notices
from lib.grids import coverage
from lib.i18n import i18n
from lib.mediation import mediation
from lib.pushes import appeals, pushes
from lib.tips import triage_queue
from lib.ui import ui

P = "home_"
MY_PUSH_STATES = ["draft", "rejected", "pending_review", "approved", "scheduled", "sending"]


def _count_columns(ctx: ui.Context, *keys: str) -> dict:
    """Counts shown with thousands separators."""
    return {ctx.t(k): st.column_config.NumberColumn(format="localized") for k in keys}


def _todo(ctx: ui.Context) -> None:
    """The live to-do: refreshed every few seconds; a lead on an active appeal is announced."""
    user = ctx.user
    ui.show_notices(ctx)
    st.subheader(ctx.t("home.pending_title"), anchor=False)
    for tip in ui.tip_alerts(ctx, P + "alerts"):
        ui.page_link(ctx, "triage", ui.alert_text(ctx, tip), icon=":material/notification_important:",
                     query_params={"tip": tip["id"]})
    counts = triage_queue.queue_counts(ctx.db, user)
    reviews = pushes.review_queue(ctx.db, user)
    cases = mediation.workload(ctx.db, user)
    board = appeals.board(ctx.db, user)
    c = st.columns(6)
    c[0].metric(ctx.t("home.todo_tips"), ui.fmt_int(counts["total"]))
    c[1].metric(ctx.t("home.todo_overdue"), ui.fmt_int(counts["overdue"]),
                delta=ctx.t("home.todo_overdue_hint") if counts["overdue"] else None, delta_color="inverse")
    c[2].metric(ctx.t("home.todo_appeals"), ui.fmt_int(len(board)),
                delta=ctx.t("home.todo_appeal_leads", n=sum(a["unanswered"] for a in board))
                if any(a["unanswered"] for a in board) else None, delta_color="inverse")
    c[3].metric(ctx.t("home.todo_reviews"), ui.fmt_int(len(reviews)))
    c[4].metric(ctx.t("home.todo_cases"), ui.fmt_int(cases["open"]))
    c[5].metric(ctx.t("home.todo_sessions"), ui.fmt_int(cases["sessions"]))
    # Each tile opens the page its figure comes from.
    for col, (path, key, icon) in zip(c, (
            ("triage", "home.go_triage", ":material/fact_check:"), ("triage", "home.go_overdue", ":material/alarm:"),
            ("appeals", "home.go_appeals", ":material/timer:"), ("pushes", "home.go_reviews", ":material/rate_review:"),
            ("mediation", "home.go_cases", ":material/video_call:"),
            ("mediation", "home.go_sessions", ":material/event:")), strict=True):
        ui.page_link(ctx, path, ctx.t(key), icon=icon, container=col,
                     query_params={"overdue": 1} if key == "home.go_overdue" else None)
    for push in reviews[:5]:
        ui.page_link(ctx, "pushes", ctx.t("home.review_one", id=push["id"], title=push["title"]),
                     icon=":material/rate_review:", query_params={"push": push["id"]})


_todo_part = ui.live(_todo)


def _my_pushes(ctx: ui.Context) -> None:
    """The user's pushes on their way, and the latest notices about them."""
    mine = pushes.list_pushes(ctx.db, ctx.user, states=MY_PUSH_STATES, author_id=ctx.user.id, limit=8)
    recent = notices.recent(ctx.db, ctx.user, limit=6)
    if not mine and not recent:
        return
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{ctx.t('home.my_pushes')}**")
        if not mine:
            st.caption(ctx.t("home.my_pushes_none"))
        for push in mine:
            target = "compose" if push["state"] in ("draft", "rejected") else "pushes"
            note = ctx.t("home.push_line", id=push["id"], title=push["title"] or ctx.t("compose.untitled"),
                         state=ctx.t("pushes.state." + push["state"]))
            if push["state"] == "rejected" and push["state_reason"]:
                note += " · " + ctx.t("compose.returned_line", reason=push["state_reason"])
            ui.page_link(ctx, target, note, icon=":material/campaign:", query_params={"push": push["id"]})
    with right:
        st.markdown(f"**{ctx.t('home.notices')}**")
        for notice in recent:
            st.caption(f"{triage_queue.local_time(notice['at'])} · {ui.notice_text(ctx, notice)}")


def render() -> None:
    ctx = ui.staff_page()
    user = ctx.user
    st.title(ctx.t("home.title"))
    st.caption(ctx.t("home.scope_district") if user.is_district
               else ctx.t("home.scope_station", station=user.unit_name))
    _todo_part()
    _my_pushes(ctx)
    st.divider()
    summary = coverage.scope_summary(ctx.db, user)

    c1, c2, c3, c4 = st.columns(4)
    c1.metric(ctx.t("home.groups"), ui.fmt_int(summary.groups))
    c2.metric(ctx.t("home.members"), ui.fmt_int(summary.members))
    c3.metric(ctx.t("home.grids"), ui.fmt_int(summary.grids))
    c4.metric(ctx.t("home.residents"), ui.fmt_int(summary.residents))
    c5, c6, c7, _ = st.columns(4)
    c5.metric(ctx.t("home.coverage"), ui.fmt_pct(summary.coverage_pct),
              help=ctx.t("home.coverage_help", target=int(coverage.TARGET_COVERAGE_PCT)))
    c6.metric(ctx.t("home.grids_without_group"), ui.fmt_int(summary.grids_without_group))
    c7.metric(ctx.t("home.outposts"), ui.fmt_int(summary.outposts))

    st.subheader(ctx.t("home.by_category"))
    st.dataframe(
        pd.DataFrame([
            {
                ctx.t("home.col.category"): i18n.term("grid_categories", c["category"], ctx.lang),
                ctx.t("home.col.grids"): c["grids"],
                ctx.t("home.col.groups"): c["groups"],
                ctx.t("home.col.members"): c["members"],
                ctx.t("home.col.population"): c["population"],
                ctx.t("home.col.without_group"): c["without_group"],
            }
            for c in summary.by_category
        ]),
        hide_index=True, width="stretch", key="home_by_category",
        column_config=_count_columns(ctx, "home.col.grids", "home.col.groups", "home.col.members",
                                     "home.col.population", "home.col.without_group"),
    )

    if user.is_district:
        st.subheader(ctx.t("home.by_station"))
        rows = coverage.station_table(ctx.db, user)
        st.dataframe(
            pd.DataFrame([
                {
                    ctx.t("home.col.station"): i18n.localized(r, "station", ctx.lang),
                    ctx.t("home.col.grids"): r["grids"],
                    ctx.t("home.col.groups"): r["groups"],
                    ctx.t("home.col.members"): r["members"],
                    ctx.t("home.residents"): r["residents"],
                    ctx.t("home.col.coverage"): r["coverage_pct"],
                    ctx.t("home.col.without_group"): r["without_group"],
                }
                for r in rows
            ]),
            hide_index=True, width="stretch", key="home_by_station", height=38 + 35 * len(rows),  # all 17 in view
            column_config={
                **_count_columns(ctx, "home.col.grids", "home.col.groups", "home.col.members",
                                 "home.residents", "home.col.without_group"),
                ctx.t("home.col.coverage"): st.column_config.ProgressColumn(
                    format="%.1f%%", min_value=0, max_value=2 * coverage.TARGET_COVERAGE_PCT),
            },
        )
        below = [i18n.localized(r, "station", ctx.lang) for r in rows
                 if r["coverage_pct"] is not None and r["coverage_pct"] < coverage.TARGET_COVERAGE_PCT]
        if below:
            st.warning(ctx.t("home.below_target", target=int(coverage.TARGET_COVERAGE_PCT),
                             stations=i18n.join(below, ctx.lang)))
        ui.page_link(ctx, "league", ctx.t("home.go_league"), icon=":material/leaderboard:")


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
