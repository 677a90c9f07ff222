"""群组台账: filter and page through the groups of one's scope, add and edit a group,
export, import a clerk's spreadsheet, and bring names to the naming standard."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.core import clock, export, taxonomy, units
from lib.core.errors import PortalError
from lib.duty import online_situations
from lib.grids import grids, groups, naming
from lib.i18n import i18n
from lib.ui import ui

P = "registry_"  # widget key prefix of this page


def _reset_page() -> None:
    st.session_state[P + "page"] = 1


def _filters(ctx: ui.Context) -> groups.GroupFilter:
    user, t = ctx.user, ctx.t
    all_ = t("registry.filter.all")
    f = groups.GroupFilter()

    def pick(col, label_key, options, key, fmt, **kw):
        return ui.optional_select(ctx, col, label_key, options, P + key, fmt, on_change=_reset_page, **kw)

    def term(name):
        return lambda code: i18n.term(name, code, ctx.lang)

    top = st.columns([3, 1]) if user.is_district else [st.container()]
    f.text = top[0].text_input(t("registry.filter.text"), key=P + "text", max_chars=50, on_change=_reset_page)
    if user.is_district:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        f.station_id = pick(top[1], "registry.filter.station", list(stations), "station", stations.get)
    station = f.station_id or user.station_id
    outposts = {o["id"]: o["name"] for o in units.list_outposts(ctx.db, user, station)} if station else {}
    officers = {o["id"]: f"{o['name']}（{o['username']}）"
                for o in groups.list_officers(ctx.db, user, station)} if station else {}
    row1, row2 = st.columns(4), st.columns(4)
    f.outpost_id = pick(row1[0], "registry.filter.outpost", list(outposts), "outpost", outposts.get,
                        disabled=not outposts)
    f.category, f.section_label, f.industry_label = ui.label_filters(ctx, row1[1:], P, on_change=_reset_page)
    f.platform = pick(row2[0], "registry.filter.platform", taxonomy.codes("platforms"), "platform",
                      term("platforms"))
    f.name_standard = pick(row2[1], "registry.filter.naming", [True, False], "naming",
                           lambda v: t("registry.filter.naming.standard" if v else "registry.filter.naming.nonstandard"))
    f.owner_user_id = pick(row2[2], "registry.filter.owner", list(officers), "owner", officers.get,
                           disabled=not officers)
    f.status = row2[3].selectbox(t("registry.filter.status"), ["active", "archived", None], key=P + "status",
                                 on_change=_reset_page,
                                 format_func=lambda v: all_ if v is None else t(f"registry.status.{v}"))
    return f


def _columns(ctx: ui.Context) -> list[tuple[str, str]]:
    keys = ["id", "name", "standard", "grid", "grid_code", "category", "station", "outpost", "platform", "owner",
            "owner_username", "admin", "admin_phone", "members", "created_on", "status", "webhook"]
    return [(k, ctx.t(f"registry.col.{k}")) for k in keys]


def _display(ctx: ui.Context, row: dict) -> dict:
    """A registry row as shown and exported: labels in the user's language, webhook masked."""
    return {
        "id": row["id"], "name": row["name"], "standard": "✓" if row["is_name_standard"] else "✗",
        "grid": row["grid_name"], "grid_code": row["grid_code"],
        "category": i18n.term("grid_categories", row["category"], ctx.lang), "station": row["station_name"],
        "outpost": row["outpost_name"] or "", "platform": i18n.term("platforms", row["platform"], ctx.lang),
        "owner": row["owner_name"] or "", "owner_username": row["owner_username"] or "",
        "admin": row["admin_name"] or "", "admin_phone": row["admin_phone"] or "",
        "members": row["member_count"], "created_on": row["created_on"] or "",
        "status": ctx.t(f"registry.status.{row['status']}"), "webhook": groups.mask_webhook(row["webhook_url"]),
    }


def _list_tab(ctx: ui.Context, f: groups.GroupFilter) -> groups.GroupPage:
    t = ctx.t
    cols = st.columns([1, 1, 4])
    page_size = cols[1].selectbox(t("registry.page_size"), groups.PAGE_SIZES, index=1, key=P + "page_size",
                                  on_change=_reset_page)
    page_no = cols[0].number_input(t("registry.page"), min_value=1, step=1, key=P + "page")
    result = groups.search_groups(ctx.db, ctx.user, f, page=int(page_no), page_size=page_size)
    st.caption(t("registry.total", total=ui.fmt_int(result.total), page=result.page, pages=result.pages))
    if not result.rows:
        st.info(t("registry.empty"))
        return result
    columns = _columns(ctx)
    frame = pd.DataFrame([_display(ctx, r) for r in result.rows], columns=[k for k, _ in columns])
    frame.columns = [h for _, h in columns]
    st.dataframe(frame, hide_index=True, width="stretch", key=P + "table",
                 column_config={t("registry.col.members"): st.column_config.NumberColumn(format="localized")})
    stamp = dt.date.today().isoformat()
    user = ctx.user

    def rows(db):
        return (_display(ctx, r) for r in groups.iter_groups(db, user, f))

    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        t("registry.export_csv"), key=P + "export_csv", help=t("registry.export_help"), mime="text/csv",
        file_name=f"groups-{stamp}.csv", on_click="ignore",
        data=ui.on_demand(lambda db: export.to_csv(rows(db), columns)))
    cols[1].download_button(
        t("registry.export_xlsx"), key=P + "export_xlsx", help=t("registry.export_help"), on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file_name=f"groups-{stamp}.xlsx",
        data=ui.on_demand(lambda db: export.to_xlsx(rows(db), columns, sheet_title=t("registry.title"))))
    return result


def _show_field_errors(ctx: ui.Context, exc: PortalError) -> None:
    st.error(ctx.t("registry.edit.fix"))
    for field, (key, params) in getattr(exc, "errors", {}).items():
        label = ctx.t(f"registry.edit.{'grid' if field == 'grid_id' else field.replace('_user_id', '')}")
        st.error(f"{label}：{ctx.t(key, **params)}")
    if not getattr(exc, "errors", None):
        ui.show_error(ctx, exc)


def _edit_tab(ctx: ui.Context, page: groups.GroupPage) -> None:
    t = ctx.t
    options = [None] + [r["id"] for r in page.rows]
    names = {r["id"]: r["name"] for r in page.rows}
    group_id = st.selectbox(t("registry.edit.pick"), options, key=P + "edit_pick",
                            format_func=lambda i: t("registry.edit.new") if i is None else f"{names[i]}（#{i}）")
    current = groups.get_group(ctx.db, ctx.user, group_id) if group_id else {}
    if group_id:
        _situations(ctx, group_id)
        grid = grids.get_grid(ctx.db, ctx.user, current["grid_id"])
        grid_options = [grid]
    else:
        text = st.text_input(t("registry.edit.grid_search"), key=P + "grid_search", max_chars=40)
        grid_options = grids.search_grids(ctx.db, ctx.user, text, limit=50)
        if not grid_options:
            st.warning(t("registry.edit.no_grid"))
            return
    grid_id = st.selectbox(t("registry.edit.grid"), [g["id"] for g in grid_options], key=P + f"grid_{group_id}",
                           format_func=lambda i: next(f"{g['name']}（{g['code']}）" for g in grid_options
                                                      if g["id"] == i))
    grid = next(g for g in grid_options if g["id"] == grid_id)
    station = units.get_unit(ctx.db, ctx.user, grid["station_id"])
    officers = groups.list_officers(ctx.db, ctx.user, grid["station_id"])
    example = naming.standard_group_name(station["name"], grid["name"]) if group_id \
        else groups.next_standard_name(ctx.db, ctx.user, grid_id)
    if group_id and not current.get("is_name_standard"):
        st.info(t("registry.edit.use_proposed", name=groups.propose_name(ctx.db, group_id)))
    with st.form(P + f"form_{group_id}"):
        name = st.text_input(t("registry.edit.name"), value=current.get("name", example), max_chars=60,
                             help=t("registry.edit.name_help", example=example))
        cols = st.columns(2)
        platforms = taxonomy.codes("platforms")
        platform = cols[0].selectbox(t("registry.edit.platform"), platforms,
                                     index=platforms.index(current.get("platform", "wechat")),
                                     format_func=lambda c: i18n.term("platforms", c, ctx.lang))
        owner_ids = [o["id"] for o in officers]
        owner = cols[1].selectbox(
            t("registry.edit.owner"), owner_ids,
            index=owner_ids.index(current["owner_user_id"]) if current.get("owner_user_id") in owner_ids else 0,
            format_func=lambda i: next(f"{o['name']}（{o['username']} · {o['unit_name']}）" for o in officers
                                       if o["id"] == i))
        admin_name = cols[0].text_input(t("registry.edit.admin_name"), value=current.get("admin_name") or "",
                                        max_chars=20)
        admin_phone = cols[1].text_input(t("registry.edit.admin_phone"), value=current.get("admin_phone") or "",
                                         max_chars=20)
        members = cols[0].number_input(t("registry.edit.members"), min_value=0, max_value=groups.MAX_MEMBERS,
                                       value=int(current.get("member_count") or 0), step=1)
        created_on = cols[1].text_input(t("registry.edit.created_on"),
                                        value=current.get("created_on") or ("" if group_id else dt.date.today().isoformat()),
                                        max_chars=10, placeholder="2021-03-05")
        status = cols[0].selectbox(t("registry.edit.status"), groups.STATUSES,
                                   index=groups.STATUSES.index(current.get("status", "active")),
                                   format_func=lambda s: t(f"registry.status.{s}"))
        webhook = st.text_input(t("registry.edit.webhook"), type="password", max_chars=500,
                                help=t("registry.edit.webhook_current", masked=groups.mask_webhook(
                                    current.get("webhook_url")) or "—") if group_id else None)
        clear_webhook = st.checkbox(t("registry.edit.webhook_clear")) if current.get("webhook_url") else False
        submitted = st.form_submit_button(t("registry.edit.save" if group_id else "registry.edit.create"),
                                          type="primary")
    if not submitted:
        return
    values = {"name": name, "grid_id": grid_id, "platform": platform, "owner_user_id": owner,
              "admin_name": admin_name, "admin_phone": admin_phone, "member_count": int(members),
              "created_on": created_on, "status": status}
    if webhook.strip() or clear_webhook:
        values["webhook_url"] = "" if clear_webhook else webhook
    try:
        if group_id:
            saved = groups.update_group(ctx.db, ctx.user, group_id, values)
            st.success(t("registry.edit.saved", name=saved["name"]))
        else:
            saved = groups.create_group(ctx.db, ctx.user, values)
            st.success(t("registry.edit.created", name=saved["name"]))
    except PortalError as exc:
        _show_field_errors(ctx, exc)


def _situations(ctx: ui.Context, group_id: int) -> None:
    """The group's history of online situations (网情处置), newest first."""
    t, s = ctx.t, online_situations
    rows = s.list_for_group(ctx.db, ctx.user, group_id)
    with st.expander(t("situations.group_history", n=len(rows))):
        if not rows:
            st.caption(t("situations.group_history_none"))
            return
        st.dataframe(pd.DataFrame([{
            t("situations.col.id"): r["id"], t("situations.col.created"): clock.beijing(r["created_at"]),
            t("situations.col.category"): t(s.CATEGORY_KEYS[r["category"]]),
            t("situations.col.severity"): t(s.SEVERITY_KEYS[r["severity"]]),
            t("situations.col.state"): t(s.STATE_KEYS[r["state"]]),
            t("situations.handling"): t(s.HANDLING_KEYS[r["handling"]]) if r["handling"] else ""} for r in rows]),
            hide_index=True, width="stretch", key=P + f"situations_{group_id}")


def _naming_tab(ctx: ui.Context, f: groups.GroupFilter) -> None:
    t = ctx.t
    st.caption(t("registry.naming.intro"))
    rows = groups.list_nonstandard(ctx.db, ctx.user, groups.GroupFilter(**{**f.__dict__, "name_standard": False}),
                                   limit=200)
    if not rows:
        st.success(t("registry.naming.none"))
        return
    total = groups.search_groups(ctx.db, ctx.user, groups.GroupFilter(**{**f.__dict__, "name_standard": False}),
                                 page_size=25).total
    st.caption(t("registry.naming.count", n=ui.fmt_int(total), shown=len(rows)))
    st.dataframe(pd.DataFrame([{t("registry.col.name"): r["name"], t("registry.col.proposed"): r["proposed_name"],
                                t("registry.col.station"): r["station_name"], t("registry.col.grid"): r["grid_name"]}
                               for r in rows]), hide_index=True, width="stretch", key=P + "naming_table")
    with st.form(P + "rename_form"):
        confirm = st.checkbox(t("registry.naming.confirm", n=len(rows)))
        go = st.form_submit_button(t("registry.naming.rename"), disabled=False)
    if go and confirm:
        try:
            n = groups.rename_to_standard(ctx.db, ctx.user, [r["id"] for r in rows])
            st.success(t("registry.naming.done", n=n))
        except PortalError as exc:
            ui.show_error(ctx, exc)


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("registry.title"))
    st.caption(ctx.t("registry.intro"))
    f = _filters(ctx)
    tab_list, tab_edit, tab_import, tab_naming = st.tabs(
        [ctx.t("registry.tab.list"), ctx.t("registry.tab.edit"), ctx.t("registry.tab.import"),
         ctx.t("registry.tab.naming")])
    with tab_list:
        page = _list_tab(ctx, f)
    with tab_edit:
        _edit_tab(ctx, page)
    with tab_import:
        from lib.ui import ui_imports

        ui_imports.groups_tab(ctx)
    with tab_naming:
        _naming_tab(ctx, f)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
