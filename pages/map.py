"""网格地图: coverage of grids and groups on a map, and the gaps a station works through."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from lib.core import units
from lib.grids import coverage_map as cm
from lib.i18n import i18n
from lib.ui import ui

P = "map_"


def _filters(ctx: ui.Context) -> tuple[cm.MapFilter, str, float]:
    t, user = ctx.t, ctx.user
    f = cm.MapFilter()
    cols = st.columns(4)
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        f.station_id = ui.optional_select(ctx, cols[0], "registry.filter.station", list(stations), P + "station",
                                          stations.get)
    else:
        cols[0].text_input(t("registry.filter.station"), value=user.unit_name, disabled=True, key=P + "own_station")
    f.category, f.section_label, f.industry_label = ui.label_filters(ctx, cols[1:], P)
    cols = st.columns([2, 1, 3])
    measure = cols[0].radio(t("map.measure"), cm.MEASURES, horizontal=True, key=P + "measure",
                            format_func=lambda m: t(f"map.measure.{m}"))
    target = cols[1].number_input(t("map.target"), min_value=1.0, max_value=100.0, step=1.0,
                                  value=cm.TARGET_COVERAGE_PCT, key=P + "target")
    return f, measure, float(target)


def _legend(ctx: ui.Context, measure: str, target: float) -> None:
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px">'
        f'<span style="width:14px;height:14px;background:rgb{color};display:inline-block;margin-right:6px;'
        f'border:1px solid #5a6b85"></span>{html.escape(label)}</span>'
        for color, label in cm.legend(measure, ctx.lang, target)
    )
    st.html(f'<div style="font-size:0.85rem;color:#17233a">{html.escape(ctx.t("map.legend"))}：{items}</div>')
    st.caption(ctx.t("map.legend.points"))


def _table(ctx: ui.Context, rows: list[dict], columns: list[tuple[str, str]], key: str) -> None:
    frame = pd.DataFrame([{ctx.t(h): r.get(k) for k, h in columns} for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch", key=P + key)


def render() -> None:
    ctx = ui.staff_page()
    t, user = ctx.t, ctx.user
    st.title(t("map.title"))
    st.caption(t("map.intro"))
    f, measure, target = _filters(ctx)

    summary = cm.map_summary(ctx.db, user, f)
    c = st.columns(5)
    c[0].metric(t("map.summary.grids"), ui.fmt_int(summary.grids))
    c[1].metric(t("map.summary.groups"), ui.fmt_int(summary.groups))
    c[2].metric(t("map.summary.members"), ui.fmt_int(summary.members))
    c[3].metric(t("map.summary.residents"), ui.fmt_int(summary.residents))
    c[4].metric(t("map.summary.coverage"), ui.fmt_pct(summary.coverage_pct))
    if not summary.grids:
        st.info(t("map.no_grids"))
        return

    figures = cm.grid_figures(ctx.db, user, f)
    recent = cm.tip_counts(ctx.db, user, f) if measure == "tips" else None
    deck = cm.build_deck(ctx.db, user, figures, measure=measure, lang=ctx.lang, target_pct=target, tips=recent)
    st.pydeck_chart(deck, height=620, key=P + "deck")
    _legend(ctx, measure, target)

    tabs = [t("map.tab.grid_gaps"), t("map.tab.station_gaps"), t("map.tab.labels"), t("map.tab.non_geographic")]
    if user.is_district:
        tabs.append(t("map.tab.import"))
    shown = st.tabs(tabs)
    term = lambda name: (lambda code: i18n.term(name, code, ctx.lang))  # noqa: E731
    with shown[0]:
        st.caption(t("map.gaps.intro"))
        gaps = cm.grid_gaps(ctx.db, user, f, target)
        if not gaps:
            st.success(t("map.gaps.none"))
        for r in gaps:
            r["category_label"] = term("grid_categories")(r["category"])
        _table(ctx, gaps, [("name", "map.col.grid"), ("code", "map.col.code"), ("category_label", "map.col.category"),
                           ("station_name", "map.col.station"), ("outpost_name", "map.col.outpost"),
                           ("population", "map.col.population"), ("groups", "map.col.groups"),
                           ("members", "map.col.members"), ("coverage_pct", "map.col.coverage"),
                           ("missing", "map.col.missing")], "grid_gaps")
    with shown[1]:
        rows = cm.station_gaps(ctx.db, user, target)
        _table(ctx, rows, [("station", "map.col.station"), ("residents", "map.col.population"),
                           ("groups", "map.col.groups"), ("members", "map.col.members"),
                           ("coverage_pct", "map.col.coverage"), ("missing", "map.col.missing")], "station_gaps")
    with shown[2]:
        st.caption(t("map.labels.intro"))
        for r in cm.missing_labels(ctx.db, user, f.station_id):
            with st.expander(t("map.labels.count", station=r["station"], sections=len(r["sections"]),
                               industries=len(r["industries"]))):
                st.markdown(f"**{t('map.col.sections')}**")
                st.write("、".join(term("section_labels")(c) for c in r["sections"]) or "—")
                st.markdown(f"**{t('map.col.industries')}**")
                st.write("、".join(term("industry_labels")(c) for c in r["industries"]) or "—")
    with shown[3]:
        st.caption(t("map.non_geo.intro"))
        rows = cm.non_geographic(ctx.db, user, f)
        for r in rows:
            r["category_label"] = term("grid_categories")(r["category"])
            r["label"] = term("industry_labels")(r["industry_label"]) if r["industry_label"] else \
                term("section_labels")(r["section_label"])
        _table(ctx, rows, [("name", "map.col.grid"), ("category_label", "map.col.category"),
                           ("label", "map.col.label"), ("station_name", "map.col.station"),
                           ("population", "map.col.population"), ("groups", "map.col.groups"),
                           ("members", "map.col.members")], "non_geo")
    if user.is_district:
        with shown[4]:
            from lib.ui import ui_imports

            ui_imports.grids_tab(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
