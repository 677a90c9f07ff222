"""The two import tabs, each a sub-view drawn inside a page's tab: the registry's spreadsheet of
groups (:func:`groups_tab`: upload, map columns, dry run, confirm) and the map's GeoJSON grid
boundaries (:func:`grids_tab`, district admins: dry run, confirm). Nothing is written before the
confirmation, and then everything in one transaction.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from lib.core import export
from lib.core.errors import PortalError
from lib.grids import grid_import, group_import
from lib.ui import ui

GROUPS_P = "registry_import_"  # widget key prefixes: the registry's and the map's
GRIDS_P = "map_import_"


# --- groups (pages/registry.py) ------------------------------------------------------------


def _reason_text(ctx: ui.Context, reason: group_import.Reason) -> str:
    text = ctx.t(reason.key, **reason.params)
    if reason.field:
        return f"{ctx.t('group_import.field.' + reason.field)}：{text}"
    return text


def _detail(ctx: ui.Context, row: group_import.RowResult) -> str:
    if row.action == "reject":
        return "；".join(_reason_text(ctx, r) for r in row.reasons)
    parts = [f"{ctx.t('group_import.field.' + f)}：{before or '—'} → {after}" for f, (before, after)
             in row.changes.items()]
    if row.name_standard is False and row.proposed_name:
        parts.append(ctx.t("group_import.name_nonstandard", proposed=row.proposed_name))
    return "；".join(parts)


def groups_tab(ctx: ui.Context) -> None:
    """The registry's import tab: a clerk's spreadsheet of groups."""
    t = ctx.t
    st.caption(t("import.groups.intro"))
    upload = st.file_uploader(t("import.file"), type=["xlsx", "csv", "txt"], key=GROUPS_P + "file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    try:
        table = group_import.read_ledger(data, upload.name)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    for key, params in table.notes:
        st.caption(t(key, **params))

    st.markdown(f"**{t('import.mapping')}**")
    st.caption(t("import.mapping_help"))
    proposed = group_import.propose_mapping(table.headers)
    columns = [None] + list(range(len(table.headers)))
    mapping = {}
    cols = st.columns(5)
    for n, field in enumerate(group_import.FIELDS):
        mapping[field] = cols[n % 5].selectbox(
            t("group_import.field." + field), columns, index=columns.index(proposed.get(field)),
            key=f"{GROUPS_P}{digest}_{field}",
            format_func=lambda c: t("import.not_mapped") if c is None else table.column_label(c))

    report_key = f"{GROUPS_P}report_{digest}"
    if st.button(t("import.dry_run"), key=GROUPS_P + "dry_run", type="primary"):
        try:
            st.session_state[report_key] = group_import.dry_run(ctx.db, ctx.user, table, mapping)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
    report: group_import.ImportReport | None = st.session_state.get(report_key)
    if report is None or report.mapping != {k: v for k, v in mapping.items()}:
        return  # a changed mapping needs a new dry run

    st.info(t("group_import.summary", n_add=report.n_add, n_update=report.n_update,
              n_unchanged=report.n_unchanged, n_reject=report.n_reject))
    if report.unmapped_columns:
        st.caption(t("import.unmapped", columns="、".join(report.unmapped_columns)))
    only_rejected = st.checkbox(t("import.only_rejected"), key=GROUPS_P + "only_rejected", value=report.n_reject > 0)
    rows = [{
        t("import.col.row"): r.row, t("import.col.action"): t("group_import.action." + r.action),
        t("import.col.name"): r.name or "", t("import.col.detail"): _detail(ctx, r),
    } for r in report.rows if not only_rejected or r.action == "reject"]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=GROUPS_P + "report")
    report_columns = [(t(k), t(k)) for k in ("import.col.row", "import.col.action", "import.col.name",
                                             "import.col.detail")]
    all_rows = [{t("import.col.row"): r.row, t("import.col.action"): t("group_import.action." + r.action),
                 t("import.col.name"): r.name or "", t("import.col.detail"): _detail(ctx, r)} for r in report.rows]
    st.download_button(t("import.report_csv"), export.to_csv(all_rows, report_columns), mime="text/csv",
                       file_name=f"import-report-{digest}.csv", key=GROUPS_P + "report_csv", on_click="ignore")

    if not report.accepted:
        st.warning(t("import.nothing"))
        return
    if st.button(t("import.confirm", n_add=report.n_add, n_update=report.n_update), key=GROUPS_P + "apply"):
        try:
            result = group_import.apply(ctx.db, ctx.user, report)
        except group_import.ImportChangedError as exc:
            st.error(t("import.changed"))
            st.error(t("group_import.row", row=exc.params["row"],
                       reason="；".join(_reason_text(ctx, r) for r in exc.reasons)))
            return
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        del st.session_state[report_key]
        st.success(t("group_import.done", created=result["created"], updated=result["updated"]))


# --- grid boundaries (pages/map.py) -------------------------------------------------------


def _grid_reasons(ctx: ui.Context, reasons) -> str:
    return "；".join(ctx.t(key, **params) for key, params in reasons)


def grids_tab(ctx: ui.Context) -> None:
    """The map's import tab (district admins): GeoJSON grid boundaries."""
    t = ctx.t
    st.caption(t("import.grids.intro"))
    upload = st.file_uploader(t("import.file"), type=["geojson", "json"], key=GRIDS_P + "file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    report_key = f"{GRIDS_P}report_{digest}"
    if st.button(t("import.dry_run"), key=GRIDS_P + "dry_run", type="primary"):
        try:
            st.session_state[report_key] = grid_import.dry_run(ctx.db, ctx.user, data)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
    report: grid_import.GridImportReport | None = st.session_state.get(report_key)
    if report is None:
        return
    st.info(t("import.grids.summary", n_add=report.n_add, n_update=report.n_update, n_reject=report.n_reject))
    for key, params in report.notes:
        st.caption(t(key, **params))
    st.dataframe(pd.DataFrame([{
        t("import.col.feature"): r.index, t("import.col.action"): t("group_import.action." + r.action),
        t("import.col.name"): r.name or "", t("import.col.code"): r.code or "",
        t("import.col.area"): round(r.area_km2, 3) if r.area_km2 else None,
        t("import.col.detail"): _grid_reasons(ctx, r.reasons + r.notes),
    } for r in report.rows]), hide_index=True, width="stretch", key=GRIDS_P + "report")
    if report.n_add + report.n_update == 0:
        st.warning(t("import.nothing"))
        return
    skip = st.checkbox(t("import.grids.skip_rejected"), key=GRIDS_P + "skip") if report.n_reject else False
    if st.button(t("import.grids.confirm"), key=GRIDS_P + "apply", disabled=bool(report.n_reject) and not skip):
        try:
            result = grid_import.apply(ctx.db, ctx.user, report, skip_rejected=skip)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        del st.session_state[report_key]
        st.success(t("import.grids.done", added=result["added"], updated=result["updated"]))
