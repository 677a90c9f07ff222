"""工作清单: the duty standards of the five areas checked against the records — for an officer their own
items, for a station admin the station by outpost and officer, for the linkage center every station —
with the records behind each figure, a push draft to the groups that need one, and (tab 工作规范) the
standards themselves, which the district admin changes from the next period on.

Nothing here is typed in: every figure is computed by lib/duty from the portal's records."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.core import taxonomy, units
from lib.core.errors import PortalError
from lib.duty import checklist, periods, standards
from lib.duty.measures import AREAS, MEASURES, RECORDS_LIMIT, params_of
from lib.i18n import i18n
from lib.tips.tips import format_code
from lib.ui import ui

P = "checklist_"  # widget key prefix of this page
# The page that holds the records behind a measure's figure.
SOURCE_PAGES = {"groups": "registry", "grids": "map", "tips": "triage", "pushes": "pushes", "situations": "situations"}
STATUS_COLOURS = {"overdue": "#c62828", "missed": "#37474f", "scheduled": "#b26a00", "done": "#2e7d32"}
FORM_FIELDS = ("threshold", "period", "scope", "fix_days", "days", "text_zh", "text_en")
HIDDEN_RECORD_COLUMNS = ("group_id", "grid_id", "tip_id", "push_id", "situation_id")


def figure_text(ctx: ui.Context, measure_code: str, value) -> str:
    """A figure in its measure's unit, or "nothing to measure"."""
    if value is None:
        return ctx.t("duty.figure.none")
    unit = MEASURES[measure_code].unit
    shown = f"{value:g}" if unit != "share" else f"{value:.1f}"
    return ctx.t(f"duty.unit.{unit}", value=shown)


def target_text(ctx: ui.Context, standard: dict) -> str:
    measure = MEASURES[standard["measure"]]
    return f"{ctx.t(f'duty.direction.{measure.direction}')} {figure_text(ctx, standard['measure'], standard['threshold'])}"


def period_text(ctx: ui.Context, period: periods.Period) -> str:
    if period.kind == "monthly":
        return ctx.t("duty.period_name.monthly", month=period.start.strftime("%Y-%m"))
    return ctx.t(f"duty.period_name.{period.kind}", start=period.key)


def standard_text(ctx: ui.Context, standard: dict) -> str:
    return standard["text_en"] if ctx.lang == "en" else standard["text_zh"]


# --- the checklist tab ------------------------------------------------------------------------


def _controls(ctx: ui.Context) -> tuple[dt.date, int | None]:
    t, user = ctx.t, ctx.user
    cols = st.columns([1, 2, 3])
    today = periods.beijing_date()
    day = cols[0].date_input(t("checklist.day"), value=today, max_value=today, key=P + "day",
                             help=t("checklist.day.help"), format="YYYY-MM-DD")
    station_id = None
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        ui.preset_from_url("station", P + "station", stations)  # 数据看板's link to a station's checklist
        station_id = cols[1].selectbox(t("checklist.station"), [None, *stations], key=P + "station",
                                       format_func=lambda s: t("checklist.station.all") if s is None else stations[s])
    return day, station_id


def _metrics(ctx: ui.Context, found: checklist.Checklist, items: list[checklist.Item]) -> None:
    counts = {s: sum(1 for i in items if i.status == s) for s in checklist.STATUSES}
    cols = st.columns(4)
    for col, status in zip(cols, ("overdue", "missed", "scheduled", "done"), strict=True):
        col.metric(ctx.t(f"checklist.metric.{status}"), ui.fmt_int(counts[status]))


def _behind(ctx: ui.Context, found: checklist.Checklist, kind: str) -> None:
    """Who is behind in which area: one row per subject with overdue or missed items."""
    t = ctx.t
    if kind == "station":  # every station, with its officers and outposts behind
        rows = found.behind_by_station()
    else:
        rows = [r for r in found.behind(kind) if r["total"]]
    st.markdown(f"**{t(f'checklist.behind.{kind}')}**")
    if not rows:
        st.caption(t("checklist.behind.none"))
        return
    frame = pd.DataFrame([{t("checklist.behind.name"): r["name"],
                           **{t(f"duty.area.{a}"): r[a] for a in AREAS},
                           t("checklist.behind.total"): r["total"],
                           **({t("checklist.behind.officers"): r["officers"], t("checklist.behind.outposts"): r["outposts"]}
                              if kind == "station" else {})} for r in rows])
    # The district's 17 stations all in view; a station's officers scroll past 8.
    height = 38 + 35 * len(rows) if kind == "station" else min(38 + 35 * len(rows), 300)
    st.dataframe(frame, hide_index=True, width="stretch", height=height)


def _item_key(item: checklist.Item) -> tuple:
    return (item.standard["id"], item.subject_kind, item.subject_id, item.period.key)


def _table(ctx: ui.Context, items: list[checklist.Item]) -> checklist.Item | None:
    """The items, worst first; the one selected (kept across reruns by its key)."""
    t = ctx.t
    st.markdown(f"**{t('checklist.items', n=ui.fmt_int(len(items)))}**")
    if not items:
        st.info(t("checklist.none"))
        return None
    frame = pd.DataFrame([{
        "status": t(f"duty.status.{i.status}"), "area": t(f"duty.area.{i.area}"),
        "standard": standard_text(ctx, i.standard), "subject": f"{i.subject_name}（{t(f'duty.scope.{i.subject_kind}')}）",
        "period": period_text(ctx, i.period), "figure": figure_text(ctx, i.standard["measure"], i.figure.value),
        "target": target_text(ctx, i.standard),
        "pace": "" if i.expected is None else figure_text(ctx, i.standard["measure"], i.expected),
    } for i in items])
    frame.columns = [t(f"checklist.col.{c}") for c in frame.columns]
    st.caption(t("checklist.select_hint"))
    colours = {t(f"duty.status.{s}"): c for s, c in STATUS_COLOURS.items()}
    styled = frame.style.map(lambda v: f"color: {colours.get(v, 'inherit')}; font-weight: 600",
                             subset=[t("checklist.col.status")])
    event = st.dataframe(styled, hide_index=True, width="stretch", key=ui.table_key(P + "table"),
                         on_select="rerun", selection_mode="single-row", height=min(38 + 35 * len(items), 520))
    picked = ui.pick_row(event, [_item_key(i) for i in items], P + "table")
    if picked is not None:
        st.session_state[P + "item"] = picked
    chosen = st.session_state.get(P + "item")
    return next((i for i in items if _item_key(i) == chosen), None)


def _records(ctx: ui.Context, item: checklist.Item) -> None:
    """What makes an item's figure: the records that fall short, and the way to fix them."""
    t = ctx.t
    st.subheader(t("checklist.records_title"))
    st.caption(t("checklist.records", standard=standard_text(ctx, item.standard), subject=item.subject_name,
                 period=period_text(ctx, item.period)))
    if item.from_snapshot:
        st.caption(t("checklist.records.snapshot"))
    try:
        rows = checklist.records(ctx.db, ctx.user, item.standard["id"], item.subject_kind, item.subject_id,
                                 item.period.key)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    source = item.measure.source
    if not rows:
        st.success(t("checklist.records.none"))
    else:
        shown = [{k: v for k, v in r.items() if k not in HIDDEN_RECORD_COLUMNS} for r in rows]
        for r in shown:
            if "category" in r and source == "grids":
                r["category"] = i18n.term("grid_categories", r["category"], ctx.lang)
            elif "category" in r and source == "pushes":
                r["category"] = i18n.term("push_categories", r["category"], ctx.lang)
            if "kind" in r:
                r["kind"] = i18n.term("tip_kinds", r["kind"], ctx.lang)
            if "tip" in r:
                r["tip"] = format_code(r["tip"])
        frame = pd.DataFrame(shown)
        frame.columns = [t(f"duty.col.{c}") for c in frame.columns]
        st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 360))
        if len(rows) >= RECORDS_LIMIT:
            st.caption(t("checklist.records.more", n=RECORDS_LIMIT))
    if rows and source == "groups" and rows[0].get("group_id") is not None:
        _push_remedy(ctx, item, [r["group_id"] for r in rows])
    if rows and source == "tips":
        _open_tip(ctx, rows)
    ui.page_link(ctx, SOURCE_PAGES[source], t(f"checklist.open_page.{SOURCE_PAGES[source]}"),
                 icon=":material/open_in_new:")


def _push_remedy(ctx: ui.Context, item: checklist.Item, group_ids: list[int]) -> None:
    """A push draft to exactly the groups listed (silent ones, those short of pushes)."""
    t = ctx.t
    default = "anti_fraud" if item.area == "prevention" else "prevention_tip" if item.code.startswith(
        "management") else "news"
    categories = [c for c in taxonomy.codes("push_categories") if c != "appeal"]
    key = f"{P}remedy_{item.standard['id']}_{item.subject_id}"
    cols = st.columns([2, 3])
    category = cols[0].selectbox(t("checklist.push_category"), categories, index=categories.index(default),
                                 key=key + "_category",
                                 format_func=lambda c: i18n.term("push_categories", c, ctx.lang))
    cols[1].write("")
    if cols[1].button(t("checklist.push_to_groups", n=len(group_ids)), key=key + "_go", type="primary"):
        try:
            draft = checklist.draft_push_to(ctx.db, ctx.user, group_ids, category)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        st.session_state[P + "draft"] = draft["id"]
    draft_id = st.session_state.get(P + "draft")
    if draft_id:
        st.success(t("checklist.push_started", id=draft_id))
        ui.page_link(ctx, "compose", t("checklist.open_compose", id=draft_id), icon=":material/edit:",
                     query_params={"push": draft_id})


def _open_tip(ctx: ui.Context, rows: list[dict]) -> None:
    labels = {r["tip_id"]: format_code(r["tip"]) for r in rows if r.get("tip_id")}
    if not labels:
        return
    tip_id = st.selectbox(ctx.t("checklist.open_tip_pick"), list(labels), key=P + "tip",
                          format_func=lambda i: labels[i])
    ui.page_link(ctx, "triage", ctx.t("checklist.open_tip"), icon=":material/fact_check:",
                 query_params={"tip": tip_id})


def _items_tab(ctx: ui.Context) -> None:
    t, user = ctx.t, ctx.user
    day, station_id = _controls(ctx)
    found = checklist.checklist(ctx.db, user, station_id=station_id, on=day)
    if found.view == "officer":
        st.caption(t("checklist.mine.caption", name=user.name))
    cols = st.columns(3)
    kinds = {"officer": ["officer", "outpost", "station"], "station": ["station", "outpost", "officer"],
             "district": ["station", "outpost", "officer"]}[found.view]
    subject = cols[0].selectbox(t("checklist.subjects"), [None, *kinds], key=P + "subject",
                                format_func=lambda k: t("checklist.all") if k is None else t(f"duty.scope.{k}"),
                                index=1 if found.view == "district" else 0)
    statuses = cols[1].multiselect(t("checklist.status_filter"), list(checklist.STATUSES), key=P + "statuses",
                                   format_func=lambda s: t(f"duty.status.{s}"), placeholder=t("checklist.all"))
    area = ui.optional_select(ctx, cols[2], "checklist.area_filter", list(AREAS), P + "area",
                              lambda a: t(f"duty.area.{a}"))
    items = [i for i in found.items if (subject is None or i.subject_kind == subject)
             and (not statuses or i.status in statuses) and (area is None or i.area == area)]
    _metrics(ctx, found, items)
    if found.view == "station":
        left, right = st.columns(2)
        with left:
            _behind(ctx, found, "officer")
        with right:
            _behind(ctx, found, "outpost")
    elif found.view == "district":
        _behind(ctx, found, "station")
    picked = _table(ctx, items)
    if picked is not None:
        _records(ctx, picked)
    ui.page_link(ctx, "problems", t("checklist.open_problems"), icon=":material/report_problem:")


# --- the standards tab ------------------------------------------------------------------------


def _standards_tab(ctx: ui.Context) -> None:
    t, user = ctx.t, ctx.user
    st.caption(t("standards.intro"))
    rows = standards.list_standards(ctx.db, user)

    def pending(row: dict) -> str:
        p = row.get("pending")
        if not p:
            return ""
        if row.get("upcoming"):
            return t("standards.upcoming", **{"from": p["effective_from"]})
        return t("standards.pending", **{"from": p["effective_from"], "direction": t(
            f"duty.direction.{MEASURES[p['measure']].direction}"), "threshold": figure_text(
            ctx, p["measure"], p["threshold"]), "period": t(f"duty.period.{p['period']}")})

    frame = pd.DataFrame([{
        "code": r["code"], "area": t(f"duty.area.{r['area']}"), "text": standard_text(ctx, r),
        "measure": t(f"duty.measure.{r['measure']}"), "scope": t(f"duty.scope.{r['scope']}"),
        "period": t(f"duty.period.{r['period']}"), "threshold": target_text(ctx, r), "fix_days": r["fix_days"],
        "since": "" if r["effective_from"] == standards.ALWAYS else r["effective_from"], "pending": pending(r),
    } for r in rows])
    frame.columns = [t(f"standards.col.{c}") for c in frame.columns]
    st.dataframe(frame, hide_index=True, width="stretch", height=38 + 35 * len(rows))
    if user.is_district:
        _edit_standard(ctx, rows)


def _edit_standard(ctx: ui.Context, rows: list[dict]) -> None:
    """The district admin's change of one standard, from its next period on."""
    t = ctx.t
    st.subheader(t("standards.edit"))
    by_code = {r["code"]: r for r in rows}
    code = st.selectbox(t("standards.edit.pick"), list(by_code), index=None, key=P + "edit_code",
                        placeholder=t("standards.edit.pick_placeholder"),
                        format_func=lambda c: f"{c} · {standard_text(ctx, by_code[c])}")
    if code is None:
        return
    row = by_code[code]
    row = row.get("pending") or row
    measure = MEASURES[row["measure"]]
    k = f"{P}edit_{code}_"
    with st.form(k + "form"):
        cols = st.columns(4)
        threshold = cols[0].number_input(t("standards.field.threshold"), min_value=0.0,
                                         max_value=float(measure.max_threshold or 10_000), value=float(row["threshold"]),
                                         step=0.5, key=k + "threshold")
        period = cols[1].selectbox(t("standards.field.period"), list(measure.periods),
                                   index=list(measure.periods).index(row["period"]), key=k + "period",
                                   format_func=lambda p: t(f"duty.period.{p}"))
        scope = cols[2].selectbox(t("standards.field.scope"), list(measure.scopes),
                                  index=list(measure.scopes).index(row["scope"]), key=k + "scope",
                                  format_func=lambda s: t(f"duty.scope.{s}"))
        fix_days = cols[3].number_input(t("standards.field.fix_days"), min_value=1, max_value=standards.FIX_DAYS_MAX,
                                        value=int(row["fix_days"]), step=1, key=k + "fix_days")
        params = {}
        if "days" in measure.params:
            current = int(params_of(measure, row["params"])["days"])
            params["days"] = st.number_input(t("standards.field.days"), min_value=1, max_value=365, value=current,
                                             step=1, key=k + "days")
        text_zh = st.text_input(t("standards.field.text_zh"), value=row["text_zh"], max_chars=standards.TEXT_MAX,
                                key=k + "text_zh")
        text_en = st.text_input(t("standards.field.text_en"), value=row["text_en"], max_chars=standards.TEXT_MAX,
                                key=k + "text_en")
        save = st.form_submit_button(t("standards.save"), type="primary")
    if save:
        try:
            made = standards.change_standard(ctx.db, ctx.user, code, {
                "threshold": threshold, "period": period, "scope": scope, "fix_days": int(fix_days),
                "params": params, "text_zh": text_zh, "text_en": text_en})
        except PortalError as exc:
            ui.show_field_errors(ctx, exc, lambda f: t(f"standards.field.{f}") if f in FORM_FIELDS else f)
        else:
            st.success(t("standards.saved", code=code, **{"from": made["effective_from"]}))
    if st.button(t("standards.retire"), key=k + "retire"):
        try:
            end = standards.retire_standard(ctx.db, ctx.user, code)
        except PortalError as exc:
            ui.show_error(ctx, exc)
        else:
            st.success(t("standards.retired", code=code, **{"from": end}))


def render() -> None:
    ctx = ui.staff_page()
    t = ctx.t
    st.title(t("checklist.title"))
    st.caption(t("checklist.intro"))
    items_tab, standards_tab = st.tabs([t("checklist.tab.items"), t("checklist.tab.standards")])
    with items_tab:
        _items_tab(ctx)
    with standards_tab:
        _standards_tab(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
