"""The two import tabs, each a sub-view drawn inside a page's tab: the registry's spreadsheet of
groups (:func:`groups_tab`: upload, map columns, dry run, confirm) and the map's GeoJSON grid
boundaries (:func:`grids_tab`, district admins: dry run, confirm). Nothing is written before the
confirmation, and then everything in one transaction.
"""

from __future__ import annotations

import hashlib
import re

import streamlit as st

from lib.core import export, files
from lib.core.errors import PortalError
from lib.grids import grid_import, group_import
from lib.ui import ui

GROUPS_P = "registry_import_"  # widget key prefixes: the registry's and the map's
GRIDS_P = "map_import_"


# --- groups (pages/registry.py) ------------------------------------------------------------


def _reason_text(ctx: ui.Context, reason: group_import.Reason) -> str:
    """One problem with its fix: the field it is about (unless the message already names it), the
    message, then each hint."""
    text = ctx.t(reason.key, **reason.params)
    if reason.field:
        label = ctx.t("group_import.field." + reason.field)
        # "群主（民警）：群主“…”不是…" would say it twice: the label only where the message does not name it.
        if re.sub(r"[（(].*?[）)]", "", label).strip().lower() not in text.lower():
            text = f"{label}：{text}"
    return " ".join([text] + [ctx.t(key, **params) for key, params in reason.hints])


def _lines(ctx: ui.Context, row: group_import.RowResult) -> list[str]:
    """Everything the report says about a row, one line per problem, change or warning."""
    if row.action == "reject":
        lines = [_reason_text(ctx, r) for r in row.reasons]
    else:
        lines = [f"{ctx.t('group_import.field.' + f)}：{before or '—'} → {after}"
                 for f, (before, after) in row.changes.items()]
    lines += [ctx.t("import.look", text=_reason_text(ctx, w)) for w in row.warnings]
    if row.name_standard is False and row.proposed_name:
        lines.append(ctx.t("group_import.name_nonstandard", proposed=row.proposed_name))
    return lines


VERDICTS = ("reject", "look", "retire", "add", "update", "unchanged", "all")
"""The report's filter: a verdict, the rows with something to look at, or every row."""
PAGE_ROWS = 50  # rows of the report drawn at once; the download has them all
GRID_MODES = ("merge", "replace")
"""The grid import's two ways: add or update grids, or replace the stations' boundaries."""
REPORT_ACTIONS = (*group_import.ACTIONS, "retire", "kept")
"""What a report row may say (``group_import.action.*``): the grid import's replace mode adds two."""


def _verdict_of(item: dict) -> set[str]:
    return {item["action"], "all"} | ({"look"} if item["look"] else set())


def report_view(ctx: ui.Context, items: list[dict], key: str, label_key: str = "import.row_label") -> None:
    """A dry run's report, readable on screen: a filter by verdict (with counts), then each row of
    the chosen verdict with every line in full (no cut-off cells), a page at a time. ``items`` are
    ``{"number", "name", "action", "lines", "look"}`` (and ``label_key`` when an item is named
    otherwise than the others); ``label_key`` names a row (行 or 要素)."""
    t = ctx.t
    counts = {v: sum(v in _verdict_of(i) for i in items) for v in VERDICTS}
    offered = [v for v in VERDICTS if counts[v] or v == "all"]  # the first is the most urgent there is
    verdict = st.radio(t("import.filter"), offered, horizontal=True, index=0, key=key + "verdict",
                       format_func=lambda v: t("import.verdict." + v, n=counts[v]))
    chosen = [i for i in items if verdict in _verdict_of(i)]
    pages = max(1, -(-len(chosen) // PAGE_ROWS))
    page = 1
    if pages > 1:
        page = st.number_input(t("import.page", pages=pages), min_value=1, max_value=pages, value=1, step=1,
                               key=f"{key}page_{verdict}")
    with st.container(border=True, key=key + "rows"):
        for item in chosen[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]:
            head = t(item.get("label_key", label_key), number=item["number"], name=ui.inert(item["name"] or "—"),
                     action=t("group_import.action." + item["action"]))
            lines = "".join(f"\n- {ui.inert(line)}" for line in item["lines"])
            st.markdown(f"**{head}**{lines}")


def _report_csv(ctx: ui.Context, items: list[dict]) -> bytes:
    t = ctx.t
    columns = [(t(k), t(k)) for k in ("import.col.row", "import.col.action", "import.col.name", "import.col.detail")]
    rows = [{t("import.col.row"): i["number"], t("import.col.action"): t("group_import.action." + i["action"]),
             t("import.col.name"): i["name"] or "", t("import.col.detail"): "；".join(i["lines"])} for i in items]
    return export.to_csv(rows, columns)


def groups_tab(ctx: ui.Context) -> None:
    """The registry's import tab: a clerk's spreadsheet of groups."""
    t = ctx.t
    st.caption(t("import.groups.intro", max_mb=files.UPLOAD_LIMIT_MB))
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
    items = [{"number": r.row, "name": r.name, "action": r.action, "lines": _lines(ctx, r), "look": bool(r.warnings)}
             for r in report.rows]
    report_view(ctx, items, GROUPS_P)
    st.download_button(t("import.report_csv"), _report_csv(ctx, items), mime="text/csv",
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


def _grid_lines(ctx: ui.Context, row) -> list[str]:
    lines = [ctx.t(key, **params) for key, params in row.reasons + row.notes]
    if row.area_km2:
        lines.append(ctx.t("import.grids.area", area=f"{row.area_km2:.3f}"))
    return lines


def grids_tab(ctx: ui.Context) -> None:
    """The map's import tab (district admins): GeoJSON grid boundaries."""
    t = ctx.t
    st.caption(t("import.grids.intro", max_mb=files.UPLOAD_LIMIT_MB))
    upload = st.file_uploader(t("import.file"), type=["geojson", "json"], key=GRIDS_P + "file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    try:
        features = grid_import.read_features(data, [])
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    proposed, unused = grid_import.propose_properties(features)
    names = [None] + sorted({k for k in [*proposed.values(), *unused] if k is not None})
    st.markdown(f"**{t('import.grids.mapping')}**")
    st.caption(t("import.grids.mapping_help"))
    mapping, cols = {}, st.columns(4)
    for n, field in enumerate(grid_import.PROPERTIES):
        mapping[field] = cols[n % 4].selectbox(
            t("import.grids.field." + field), names, index=names.index(proposed.get(field)),
            key=f"{GRIDS_P}{digest}_{field}", format_func=lambda k: t("import.not_mapped") if k is None else k)
    mode = st.radio(t("import.grids.mode"), GRID_MODES, key=GRIDS_P + "mode", horizontal=False,
                    format_func=lambda m: t("import.grids.mode." + m))
    replace = mode == "replace"
    report_key = f"{GRIDS_P}report_{digest}"
    if st.button(t("import.dry_run"), key=GRIDS_P + "dry_run", type="primary"):
        try:
            st.session_state[report_key] = grid_import.dry_run(ctx.db, ctx.user, data, mapping=mapping,
                                                               replace=replace)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
    report: grid_import.GridImportReport | None = st.session_state.get(report_key)
    if report is None or report.mapping != mapping or report.replace != replace:
        return  # a changed mapping or mode needs a new dry run
    if replace:
        st.info(t("import.grids.replace_summary", n_unchanged=report.n_unchanged, n_update=report.n_update,
                  n_add=report.n_add, n_retire=report.n_retire, n_reject=report.n_reject))
    else:
        st.info(t("import.grids.summary", n_add=report.n_add, n_update=report.n_update, n_reject=report.n_reject))
    for key, params in report.notes:
        st.caption(t(key, **params))
    items = [{"number": r.index, "name": r.name, "action": r.action, "lines": _grid_lines(ctx, r), "look": False}
             for r in report.rows]
    names = {r.index: r.name or "—" for r in report.rows}
    for plan in report.retirements:
        if plan.kept:
            line = t("import.grids.kept_line", code=plan.code, name=plan.name, groups="、".join(plan.groups))
        elif plan.groups or plan.successor:
            line = t("import.grids.retire_line", code=plan.code, name=plan.name, groups=len(plan.groups),
                     tips=plan.tips, successor=plan.successor, successor_name=names.get(plan.successor, "—"))
        else:
            line = t("import.grids.retire_empty", code=plan.code, name=plan.name, tips=plan.tips)
        items.append({"number": plan.code, "name": plan.name, "action": "kept" if plan.kept else "retire",
                      "lines": [line], "look": plan.kept, "label_key": "import.grid_label"})
    report_view(ctx, items, GRIDS_P, label_key="import.feature_label")
    st.download_button(t("import.report_csv"), _report_csv(ctx, items), mime="text/csv",
                       file_name=f"grid-import-report-{digest}.csv", key=GRIDS_P + "report_csv", on_click="ignore")
    if report.n_add + report.n_update + (report.n_retire if replace else 0) == 0:
        st.warning(t("import.nothing"))
        return
    if replace and report.n_reject:
        st.warning(t("import.grids.replace_no_skip"))
        return
    skip = st.checkbox(t("import.grids.skip_rejected"), key=GRIDS_P + "skip") if report.n_reject else False
    label = t("import.grids.replace_confirm" if replace else "import.grids.confirm")
    if st.button(label, key=GRIDS_P + "apply", disabled=bool(report.n_reject) and not skip):
        try:
            result = grid_import.apply(ctx.db, ctx.user, report, skip_rejected=skip, filename=upload.name)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        del st.session_state[report_key]
        if replace:
            st.success(t("import.grids.replace_done", **result))
        else:
            st.success(t("import.grids.done", added=result["added"], updated=result["updated"]))
