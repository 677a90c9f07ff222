"""数据看板: the league table — the stations compared on the work over a date range (the linkage center),
or a station's outposts and officers (its admin, or the center after picking the station). Every column
sorts (click its header); the three worst of each column are shaded; a row selected opens the records
behind it on the other pages; the CSV holds exactly the table shown."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.core import export, units
from lib.core.errors import PortalError
from lib.duty import periods
from lib.reports import league, trends
from lib.ui import ui

P = "league_"  # widget key prefix of this page
WORST_SHADE = "background-color: #fde2e1"
# Columns shown with one decimal (percentages, medians, stars); the rest are counts.
DECIMALS = {"coverage", "delivered", "first_lead_min", "first_response_min", "on_time", "resolution_h", "rating",
            "settled", "compliance"}


def _range(ctx: ui.Context) -> tuple[dt.date, dt.date] | None:
    t = ctx.t
    cols = st.columns([3, 2, 2])
    choice = cols[0].radio(t("league.range"), league.RANGES, horizontal=True, key=P + "range",
                           format_func=lambda r: t(f"league.range.{r}"), index=2)
    today = periods.beijing_date()
    start = end = None
    if choice == "custom":
        start = cols[1].date_input(t("league.range.start"), value=today.replace(day=1), max_value=today,
                                   key=P + "start", format="YYYY-MM-DD")
        end = cols[2].date_input(t("league.range.end"), value=today, max_value=today, key=P + "end",
                                 format="YYYY-MM-DD")
    try:
        return league.date_range(choice, today=today, start=start, end=end)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return None


def _subjects(ctx: ui.Context) -> tuple[str, int | None]:
    """Rows of stations (the district), or one station's outposts or officers."""
    t, user = ctx.t, ctx.user
    cols = st.columns([2, 3])
    station_id = None
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        station_id = cols.pop(0).selectbox(t("league.station"), [None, *stations], key=P + "station",
                                       format_func=lambda s: t("league.station.all") if s is None else stations[s])
    if user.is_district and station_id is None:
        return "station", None
    by = cols[0].radio(t("league.by"), ("outpost", "officer"), horizontal=True, key=P + "by",
                       format_func=lambda b: t(f"league.by.{b}"))
    return by, station_id


def _frame(ctx: ui.Context, found: league.League) -> tuple[pd.DataFrame, list[str]]:
    """The table as shown (and exported): the row's name, then every column that applies to its kind."""
    t = ctx.t
    keys = [k for k, _ in league.COLUMNS if league.applies(k, found.by)]
    records = []
    for row in found.rows:
        record = {t(f"league.name.{found.by}"): row["name"]}
        for key in keys:
            value = row[key]
            record[t(f"league.col.{key}")] = None if value is None else (round(value, 1) if key in DECIMALS else int(value))
        records.append(record)
    frame = pd.DataFrame(records)
    for column in frame.columns[1:]:  # numbers (None: nothing to measure) so that a column sorts as numbers
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame, keys


def _styled(ctx: ui.Context, frame: pd.DataFrame, found: league.League, keys: list[str]):
    """The three worst of each column shaded (ties included), by row position."""
    t = ctx.t
    ids = [r["id"] for r in found.rows]

    def shade(column: pd.Series) -> list[str]:
        key = next((k for k in keys if t(f"league.col.{k}") == column.name), None)
        worst = found.worst.get(key, set())
        return [WORST_SHADE if ids[i] in worst else "" for i in range(len(column))]

    return frame.style.apply(shade, axis=0).format(precision=1, subset=list(frame.columns[1:]))


def _links(ctx: ui.Context, found: league.League, picked: int | None) -> None:
    """The records behind a row: its tips, its checklist, its problems, its pushes and cases."""
    t = ctx.t
    row = next((r for r in found.rows if r["id"] == picked), None)
    if row is None:
        st.caption(t("league.pick_hint"))
        return
    st.markdown(f"**{t('league.records', name=row['name'])}**")
    cols = st.columns(5)
    station = row["id"] if found.by == "station" else None
    targets = [("triage", "league.open.triage"), ("checklist", "league.open.checklist"),
               ("problems", "league.open.problems"), ("pushes", "league.open.pushes"),
               ("mediation", "league.open.mediation")]
    for col, (path, key) in zip(cols, targets, strict=True):
        ui.page_link(ctx, path, t(key), container=col,
                     query_params={"station": station} if station and path in ("triage", "checklist") else None)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def _league(_db, _user, user_id: int, start: dt.date, end: dt.date, by: str, station_id: int | None) -> league.League:
    """The table, kept a minute per user and choice: sorting, selecting a row and downloading rerun the
    page, and a district's month at 10x takes half a second to count (the caption says how fresh)."""
    return league.league(_db, _user, start=start, end=end, by=by, station_id=station_id)


def _trends(ctx: ui.Context, station_id: int | None) -> None:
    """Weekly lines for the district or a station, and the data charted as CSV."""
    t = ctx.t
    weeks = st.selectbox(t("trends.weeks"), (8, 12, 26, 52), index=1, key=P + "weeks",
                         format_func=lambda n: t("trends.weeks_n", n=n))
    try:
        rows = trends.weekly(ctx.db, ctx.user, weeks=weeks, station_id=station_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    frame = pd.DataFrame(rows).set_index("week")
    frame.index.name = t("trends.col.week")
    # Pushes (a few a week) and deliveries (thousands) each get their own scale.
    charts = (("trends.chart.tips", ("tips", "leads")), ("trends.chart.response", ("first_response_min",)),
              ("trends.chart.on_time", ("on_time",)), ("trends.chart.pushes", ("pushes",)),
              ("trends.chart.deliveries", ("deliveries",)))
    for row in (charts[0:2], charts[2:4], charts[4:]):
        for col, (title, series) in zip(st.columns(2), row, strict=False):
            col.markdown(f"**{t(title)}**")
            col.line_chart(frame[list(series)].rename(columns=lambda c: t(f"trends.col.{c}")), height=220)
    st.caption(t("trends.note"))
    shown = frame.reset_index().rename(columns=lambda c: c if c == frame.index.name else t(f"trends.col.{c}"))
    st.download_button(t("trends.csv"), data=export.to_csv(shown.to_dict("records"), [(c, c) for c in shown.columns]),
                       file_name=f"trends-{weeks}w.csv", mime="text/csv", key=P + "trends_csv", on_click="ignore")


def render() -> None:
    ctx = ui.staff_page("district_admin", "station_admin")
    t = ctx.t
    st.title(t("league.title"))
    st.caption(t("league.intro"))
    table_tab, trends_tab = st.tabs([t("league.tab.table"), t("league.tab.trends")])
    with trends_tab:
        _trends(ctx, st.session_state.get(P + "station") if ctx.user.is_district else None)
    with table_tab:
        _table_tab(ctx)


def _table_tab(ctx: ui.Context) -> None:
    t = ctx.t
    chosen = _range(ctx)
    by, station_id = _subjects(ctx)
    if chosen is None:
        return
    start, end = chosen
    try:
        with st.spinner(t("league.computing")):  # a district's month at 10x takes about half a second
            found = _league(ctx.db, ctx.user, ctx.user.id, start, end, by, station_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    st.caption(t("league.range_shown", start=start.isoformat(), end=(end - dt.timedelta(days=1)).isoformat(),
                 n=len(found.rows)))
    if not found.rows:
        st.info(t("league.none"))
        return
    frame, keys = _frame(ctx, found)
    event = st.dataframe(_styled(ctx, frame, found, keys), hide_index=True, width="stretch", placeholder="—",
                         key=ui.table_key(P + "table"), on_select="rerun", selection_mode="single-row",
                         height=38 + 35 * len(found.rows) if by == "station" else min(38 + 35 * len(found.rows), 700))
    st.caption(t("league.legend"))
    picked = ui.pick_row(event, [r["id"] for r in found.rows], P + "table")
    if picked is not None:
        st.session_state[P + "picked"] = picked
    _links(ctx, found, st.session_state.get(P + "picked"))
    stamp = f"{start.isoformat()}_{(end - dt.timedelta(days=1)).isoformat()}"
    st.download_button(t("league.csv"), data=export.to_csv(frame.to_dict("records"),
                                                            [(c, c) for c in frame.columns]),
                       file_name=f"league-{by}-{stamp}.csv", mime="text/csv", key=P + "csv", on_click="ignore")


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
