"""工作台: the figures of the user's scope, and the to-do sections later issues fill."""

import pandas as pd
import streamlit as st

from lib import coverage, i18n, mediation, pushes, tips, ui


def _count_columns(ctx: ui.Context, *keys: str) -> dict:
    """Counts shown with thousands separators."""
    return {ctx.t(k): st.column_config.NumberColumn(format="localized") for k in keys}


def render() -> None:
    ctx = ui.staff_page()
    user = ctx.user
    st.title(ctx.t("home.title"))
    st.caption(ctx.t("home.scope_district") if user.is_district
               else ctx.t("home.scope_station", station=user.unit_name))
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
                    ctx.t("home.col.station"): r["station"] if ctx.lang == "zh" else r["station_en"],
                    ctx.t("home.col.grids"): r["grids"],
                    ctx.t("home.col.groups"): r["groups"],
                    ctx.t("home.col.members"): r["members"],
                    ctx.t("home.residents"): r["residents"],
                    ctx.t("home.col.coverage"): r["coverage_pct"],
                    ctx.t("home.col.without_group"): r["without_group"],
                }
                for r in rows
            ]),
            hide_index=True, width="stretch", key="home_by_station",
            column_config={
                **_count_columns(ctx, "home.col.grids", "home.col.groups", "home.col.members",
                                 "home.residents", "home.col.without_group"),
                ctx.t("home.col.coverage"): st.column_config.ProgressColumn(
                    format="%.1f%%", min_value=0, max_value=2 * coverage.TARGET_COVERAGE_PCT),
            },
        )
        below = [r["station"] if ctx.lang == "zh" else r["station_en"] for r in rows
                 if r["coverage_pct"] is not None and r["coverage_pct"] < coverage.TARGET_COVERAGE_PCT]
        if below:
            st.warning(ctx.t("home.below_target", target=int(coverage.TARGET_COVERAGE_PCT),
                             stations="、".join(below) if ctx.lang == "zh" else ", ".join(below)))

    st.subheader(ctx.t("home.pending_title"))
    counts = tips.queue_counts(ctx.db, user)
    reviews = pushes.review_queue(ctx.db, user)
    cases = mediation.workload(ctx.db, user)
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(ctx.t("home.todo_tips"), ui.fmt_int(counts["total"]))
    c2.metric(ctx.t("home.todo_overdue"), ui.fmt_int(counts["overdue"]),
              delta=ctx.t("home.todo_overdue_hint") if counts["overdue"] else None, delta_color="inverse")
    c3.metric(ctx.t("home.todo_reviews"), ui.fmt_int(len(reviews)))
    c4.metric(ctx.t("home.todo_cases"), ui.fmt_int(cases["open"]))
    c5.metric(ctx.t("home.todo_sessions"), ui.fmt_int(cases["sessions"]))
