"""The map's GeoJSON boundary import tab (district admins): dry run, then one transaction."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from lib import grid_import, ui
from lib.errors import PortalError

P = "map_import_"


def _reasons(ctx: ui.Context, reasons) -> str:
    return "；".join(ctx.t(key, **params) for key, params in reasons)


def render(ctx: ui.Context) -> None:
    t = ctx.t
    st.caption(t("import.grids.intro"))
    upload = st.file_uploader(t("import.file"), type=["geojson", "json"], key=P + "file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    report_key = f"{P}report_{digest}"
    if st.button(t("import.dry_run"), key=P + "dry_run", type="primary"):
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
        t("import.col.detail"): _reasons(ctx, r.reasons + r.notes),
    } for r in report.rows]), hide_index=True, width="stretch", key=P + "report")
    if report.n_add + report.n_update == 0:
        st.warning(t("import.nothing"))
        return
    skip = st.checkbox(t("import.grids.skip_rejected"), key=P + "skip") if report.n_reject else False
    if st.button(t("import.grids.confirm"), key=P + "apply", disabled=bool(report.n_reject) and not skip):
        try:
            result = grid_import.apply(ctx.db, ctx.user, report, skip_rejected=skip)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        del st.session_state[report_key]
        st.success(t("import.grids.done", added=result["added"], updated=result["updated"]))
