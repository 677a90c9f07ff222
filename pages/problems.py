"""查纠整改: the problems raised by missed duty standards and by inspections — counts, a filtered and
paged list (escalated and most overdue first), one problem with its figure then and now, its
history and the steps its owner and the station admin may take; the linkage center logs what an
inspection found and sees every station's escalations.

Opening the page rechecks the open problems of the user's station (a fixed cause verifies its
problem at once, without waiting for the worker's minute). User text (notes, reasons, inspection
findings) is shown with ``st.text`` or in tables, never as Markdown."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from lib.core import units
from lib.core.clock import beijing
from lib.core.errors import PortalError
from lib.duty import problems
from lib.duty.measures import AREAS, MEASURES
from lib.ui import ui

P = "problems_"  # widget key prefix of this page
PAGE_SIZE = 25


def _figure(ctx: ui.Context, row: dict, value) -> str:
    if row.get("measure") is None or value is None:
        return "–" if value is None else f"{value:g}"
    unit = MEASURES[row["measure"]].unit
    return ctx.t(f"duty.unit.{unit}", value=f"{value:.1f}" if unit == "share" else f"{value:g}")


def _subject(ctx: ui.Context, row: dict) -> str:
    return f"{row['subject_name'] or ''}（{ctx.t('duty.scope.' + row['subject_kind'])}）"


def _flash() -> None:
    message = st.session_state.pop(P + "flash", None)
    if message:
        st.success(message)


def _done(message: str) -> None:
    st.session_state[P + "flash"] = message
    st.rerun()


def _counts(ctx: ui.Context, station_id: int | None) -> None:
    c = problems.counts(ctx.db, ctx.user, station_id=station_id)
    keys = ["open", "overdue", "escalated"] + (["explaining"] if ctx.user.is_admin else []) + ["mine"]
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        col.metric(ctx.t(f"problems.metric.{key}"), ui.fmt_int(c[key]))


def _filters(ctx: ui.Context) -> dict:
    t, user = ctx.t, ctx.user
    cols = st.columns([2, 2, 2, 2] if user.is_district else [2, 2, 2])
    f: dict = {}
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        f["station_id"] = ui.optional_select(ctx, cols[3], "problems.filter.station", list(stations),
                                             P + "station", stations.get, on_change=_reset_page)
    state = cols[0].selectbox(t("problems.filter.state"), ["open_only", *problems.STATES, "all"], key=P + "state",
                              on_change=_reset_page,
                              format_func=lambda s: t("problems.filter.open") if s == "open_only" else
                              t("problems.filter.all") if s == "all" else t(f"problems.state.{s}"))
    f["state"] = state if state in problems.STATES else None
    f["open_only"] = state == "open_only"
    f["area"] = ui.optional_select(ctx, cols[1], "problems.filter.area", list(AREAS), P + "area",
                                   lambda a: t(f"duty.area.{a}"), on_change=_reset_page)
    f["source"] = ui.optional_select(ctx, cols[2], "problems.filter.source", ["checklist", "inspection"],
                                     P + "source", lambda s: t(f"problems.source.{s}"), on_change=_reset_page)
    checks = st.columns(4)
    f["escalated"] = checks[0].checkbox(t("problems.filter.escalated"), key=P + "escalated",
                                        value=user.is_district, on_change=_reset_page)
    f["mine"] = checks[1].checkbox(t("problems.filter.mine"), key=P + "mine", value=user.role == "clerk",
                                   on_change=_reset_page)
    return f


def _reset_page() -> None:
    st.session_state[P + "page"] = 1


def _list(ctx: ui.Context, f: dict) -> list[dict]:
    t = ctx.t
    page = st.session_state.get(P + "page", 1)
    found = problems.list_problems(ctx.db, ctx.user, page=page, page_size=PAGE_SIZE, **f)
    if found.page != page:
        st.session_state[P + "page"] = found.page
    cols = st.columns([1, 5])
    cols[0].number_input(t("problems.page", page=found.page, pages=found.pages), min_value=1,
                         max_value=found.pages, step=1, key=P + "page")
    cols[1].caption(t("problems.count", n=ui.fmt_int(found.total)))
    if not found.rows:
        st.info(t("problems.none"))
        return []
    frame = pd.DataFrame([{
        "id": r["id"], "state": t(f"problems.state.{r['state']}"), "area": t(f"duty.area.{r['area']}"),
        "title": r["title"], "subject": _subject(ctx, r), "station": r["station_name"],
        "figure": "" if r["source"] == "inspection" else
        f"{_figure(ctx, r, r['value'])} / {_figure(ctx, r, r['threshold'])}",
        "owner": r["owner_name"] or "", "due": beijing(r["due_at"]), "escalated": "⚠️" if r["escalated_at"] else "",
    } for r in found.rows])
    frame.columns = [t(f"problems.col.{c}") for c in frame.columns]
    event = st.dataframe(frame, hide_index=True, width="stretch", key=ui.table_key(P + "table"),
                         on_select="rerun", selection_mode="single-row", height=min(38 + 35 * len(found.rows), 600))
    picked = ui.pick_row(event, [r["id"] for r in found.rows], P + "table")
    if picked is not None:
        st.session_state[P + "open"] = picked
    return found.rows


def _history(ctx: ui.Context, problem_id: int) -> None:
    t = ctx.t
    with st.expander(t("problems.history")):
        for row in problems.history(ctx.db, ctx.user, problem_id):
            after = json.loads(row["after"] or "{}")
            note = after.get("note") or after.get("explanation") or after.get("declined") or ""
            who = row["user_name"] or t("problems.history.system")
            action = t(f"problems.history.{row['action']}") if row["action"] in ACTIONS else row["action"]
            st.text(f"{beijing(row['at'])}  {who}  {action}" + (f"：{note}" if note else ""))


ACTIONS = ("create", "missed_again", "rectifying", "verified", "explain", "explained", "explanation_declined",
           "escalate")


def _detail(ctx: ui.Context, problem_id: int) -> None:
    t, user = ctx.t, ctx.user
    try:
        row = problems.get_problem(ctx.db, user, problem_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    st.subheader(t("problems.detail", id=row["id"]))
    st.text(row["title"])
    if row["detail"]:
        st.text(row["detail"])
    facts = [(t("problems.col.state"), t(f"problems.state.{row['state']}")),
             (t("problems.col.area"), t(f"duty.area.{row['area']}")),
             (t("problems.col.subject"), _subject(ctx, row)),
             (t("problems.col.station"), row["station_name"]),
             (t("problems.col.owner"), row["owner_name"] or "–"),
             (t("problems.col.due"), beijing(row["due_at"]))]
    if row["source"] == "checklist":
        measure = MEASURES[row["measure"]] if row["measure"] else None
        facts[2:2] = [
            (t("problems.fact.period"), row["period_start"] or ""),
            (t("problems.fact.figure"), t("problems.detail.figure", value=_figure(ctx, row, row["value"]),
                                          direction=t(f"duty.direction.{measure.direction}") if measure else "",
                                          threshold=_figure(ctx, row, row["threshold"])))]
        if row["checked_at"]:
            facts.append((t("problems.fact.checked"), t("problems.detail.now", at=beijing(row["checked_at"]),
                                                         value=_figure(ctx, row, row["checked_value"]))))
    if row["escalated_at"]:
        facts.append((t("problems.fact.escalated"), beijing(row["escalated_at"])))
    if row["closed_at"]:
        facts.append((t("problems.fact.closed"), beijing(row["closed_at"])))
    st.dataframe(pd.DataFrame(facts, columns=[t("problems.fact.name"), t("problems.fact.value")]), hide_index=True,
                 width="stretch", height=38 + 35 * len(facts))
    if row["explanation"]:
        st.caption(t("problems.detail.explanation", by=row["explained_by_name"] or "–",
                     at=beijing(row["explained_at"])))
        st.text(row["explanation"])
    if row["file_id"]:
        _photo(ctx, row["file_id"])
    if row["is_open"]:
        _actions(ctx, row)
    if row["source"] == "checklist":
        ui.page_link(ctx, "checklist", t("problems.action.open_checklist"), icon=":material/checklist:")
    _history(ctx, row["id"])


def _photo(ctx: ui.Context, file_id: int) -> None:
    from lib.core import files

    try:
        data, _mime = files.read_file(ctx.db, ctx.user, file_id)
    except PortalError:
        return
    st.image(data, caption=ctx.t("problems.detail.photo"), width=360)


def _actions(ctx: ui.Context, row: dict) -> None:
    t, user, db = ctx.t, ctx.user, ctx.db
    may_act = user.is_admin or row["owner_user_id"] == user.id
    if not may_act:
        return
    k = f"{P}{row['id']}_"
    cols = st.columns(3)
    if row["source"] == "checklist" and cols[0].button(t("problems.action.recheck"), key=k + "recheck",
                                                       type="primary"):
        try:
            after = problems.recheck(db, user, row["id"])
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        if after["is_open"]:
            _done(t("problems.done.still", value=_figure(ctx, row, after["checked_value"])))
        _done(t("problems.done.verified"))
    if row["source"] == "inspection" and user.is_district and cols[0].button(
            t("problems.action.verify"), key=k + "verify", type="primary"):
        try:
            problems.verify(db, user, row["id"], row["version"])
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        _done(t("problems.done.verified"))
    if row["state"] == "open":
        with st.form(k + "rectify_form", clear_on_submit=False):
            note = st.text_area(t("problems.action.rectify_note"), key=k + "note", max_chars=problems.TEXT_MAX,
                                height=80)
            if st.form_submit_button(t("problems.action.rectify")):
                try:
                    problems.start_rectifying(db, user, row["id"], row["version"], note)
                except PortalError as exc:
                    ui.show_error(ctx, exc)
                else:
                    st.session_state.pop(k + "note", None)
                    _done(t("problems.done.rectifying"))
    if row["explanation"] and user.is_admin and (row["source"] == "checklist" or user.is_district):
        left, right = st.columns(2)
        for col, accept in ((left, True), (right, False)):
            label = t("problems.action.accept" if accept else "problems.action.decline")
            if col.button(label, key=k + ("accept" if accept else "decline")):
                try:
                    problems.decide_explanation(db, user, row["id"], row["version"], accept)
                except PortalError as exc:
                    ui.show_error(ctx, exc)
                else:
                    _done(t("problems.done.accepted" if accept else "problems.done.declined"))
    elif not row["explanation"]:
        with st.form(k + "explain_form", clear_on_submit=False):
            reason = st.text_area(t("problems.action.explain_reason"), key=k + "reason", max_chars=problems.TEXT_MAX,
                                  height=80)
            if st.form_submit_button(t("problems.action.explain")):
                try:
                    after = problems.propose_explanation(db, user, row["id"], row["version"], reason)
                except PortalError as exc:
                    ui.show_error(ctx, exc)
                else:
                    st.session_state.pop(k + "reason", None)
                    _done(t("problems.done.accepted" if not after["is_open"] else "problems.done.explained"))


def _inspection(ctx: ui.Context) -> None:
    """The linkage center logs what an inspection found, for a station to fix."""
    t = ctx.t
    stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, ctx.user)}
    with st.expander(t("problems.inspection")), st.form(P + "inspection", clear_on_submit=False):
        cols = st.columns(3)
        station_id = cols[0].selectbox(t("problems.inspection.station"), list(stations), index=None,
                                       placeholder=t("problems.inspection.station_placeholder"),
                                       format_func=stations.get, key=P + "insp_station")
        area = cols[1].selectbox(t("problems.inspection.area"), list(AREAS), index=None,
                                 placeholder=t("problems.inspection.area_placeholder"),
                                 format_func=lambda a: t(f"duty.area.{a}"), key=P + "insp_area")
        days = cols[2].selectbox(t("problems.inspection.days"), list(problems.INSPECTION_DAYS), index=1,
                                 key=P + "insp_days")
        title = st.text_input(t("problems.inspection.title"), max_chars=problems.TITLE_MAX, key=P + "insp_title")
        detail = st.text_area(t("problems.inspection.detail"), max_chars=problems.TEXT_MAX, key=P + "insp_detail")
        photo = st.file_uploader(t("problems.inspection.photo"), type=["jpg", "jpeg", "png", "webp"],
                                 key=P + "insp_photo")
        submitted = st.form_submit_button(t("problems.inspection.submit"), type="primary")
    if not submitted:
        return
    try:
        made = problems.raise_inspection(ctx.db, ctx.user, station_id=station_id or 0, area=area or "",
                                         title=title, detail=detail, days=days,
                                         photo=photo.getvalue() if photo else None)
    except PortalError as exc:
        ui.show_field_errors(ctx, exc, lambda f: t(f"problems.inspection.{'station' if f == 'station_id' else f}"))
        return
    for key in ("insp_title", "insp_detail"):
        st.session_state.pop(P + key, None)
    _done(t("problems.inspection.done", id=made["id"], station=made["station_name"]))


def render() -> None:
    ctx = ui.staff_page()
    t, user = ctx.t, ctx.user
    st.title(t("problems.title"))
    st.caption(t("problems.intro"))
    verified = problems.refresh(ctx.db, user)
    _flash()
    if verified:
        st.success(t("problems.verified_now", n=verified))
    f = _filters(ctx)
    _counts(ctx, f.get("station_id"))
    if user.is_district:
        _inspection(ctx)
    _list(ctx, f)
    opened = st.session_state.get(P + "open")
    if opened:
        _detail(ctx, opened)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
