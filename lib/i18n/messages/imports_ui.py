"""Messages of the two import screens (groups from spreadsheets, grid boundaries from GeoJSON)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "import.groups.intro": (
        "上传民警日常使用的群台账（Excel .xlsx 或 CSV，最大 {max_mb} MB）。系统会自动识别表头和列，先预检、"
        "逐行说明将新增、更新或拒绝的原因；确认后才一次性写入。",
        "Upload the group register clerks keep (Excel .xlsx or CSV, up to {max_mb} MB). Headers and columns are "
        "recognised; a dry run comes first and says per row what will be added, updated or rejected and why; "
        "nothing is written until you confirm.",
    ),
    "import.file": ("选择文件", "Choose a file"),
    "import.mapping": ("列对应（可修改）", "Column mapping (you may correct it)"),
    "import.mapping_help": (
        "左边是系统需要的信息，右边选表格中的哪一列；不需要的留空。",
        "For each field the portal needs, pick the spreadsheet column; leave empty if absent.",
    ),
    "import.not_mapped": ("（无）", "(none)"),
    "import.unmapped": ("未使用的列：{columns}", "Columns not used: {columns}"),
    "import.dry_run": ("预检", "Dry run"),
    "import.filter": ("查看", "Show"),
    "import.verdict.reject": ("拒绝（{n}）", "Rejected ({n})"),
    "import.verdict.look": ("需核对（{n}）", "To check ({n})"),
    "import.verdict.retire": ("停用（{n}）", "Retired ({n})"),
    "import.verdict.add": ("新增（{n}）", "New ({n})"),
    "import.verdict.update": ("更新（{n}）", "Updated ({n})"),
    "import.verdict.unchanged": ("无变化（{n}）", "Unchanged ({n})"),
    "import.verdict.all": ("全部（{n}）", "All ({n})"),
    "import.page": ("页码（共 {pages} 页，每页 50 行）", "Page (of {pages}, 50 rows each)"),
    "import.row_label": ("第 {number} 行 · {name} · {action}", "Row {number} · {name} · {action}"),
    "import.grid_label": ("网格 {number} · {name} · {action}", "Grid {number} · {name} · {action}"),
    "import.feature_label": ("第 {number} 个要素 · {name} · {action}", "Feature {number} · {name} · {action}"),
    "import.look": ("请核对：{text}", "Check: {text}"),
    "import.col.row": ("行号", "Row"),
    "import.col.action": ("处理", "Action"),
    "import.col.name": ("名称", "Name"),
    "import.col.detail": ("变化 / 原因", "Changes / reasons"),
    "import.confirm": ("确认导入（新增 {n_add}、更新 {n_update}）", "Import ({n_add} new, {n_update} updated)"),
    "import.nothing": ("没有可导入的行。", "Nothing to import."),
    "import.report_csv": ("下载预检报告（CSV）", "Download the dry-run report (CSV)"),
    "import.changed": (
        "写入时发现数据已被他人修改，本次未写入任何数据，请重新预检：",
        "The data changed since the dry run; nothing was written. Run the dry run again:",
    ),
    "import.grids.intro": (
        "上传网格边界 GeoJSON（WGS-84 经纬度，Polygon/MultiPolygon，最大 {max_mb} MB）。属性名可以是 GIS 软件里的原名"
        "（如 网格名称、grid_code、所属派出所），系统会自动对应，可在下方修改；未填派出所的网格按所在位置推断。"
        "预检逐个要素检查几何、是否在辖区内、与现有网格是否重叠；确认后一次性写入。",
        "Upload grid boundaries as GeoJSON (WGS-84 lon/lat, Polygon/MultiPolygon, up to {max_mb} MB). Properties may "
        "keep the GIS software's names (网格名称, grid_code, 所属派出所 …): they are matched automatically and you may "
        "correct the matching below; a grid without a station gets the one it lies in. The dry run checks each "
        "feature's geometry, that it lies in the district and does not overlap existing grids; confirm to write.",
    ),
    "import.grids.mode": ("导入方式", "How to import"),
    "import.grids.mode.merge": ("新增或更新网格（其余网格不变）", "Add or update grids (the others stay)"),
    "import.grids.mode.replace": (
        "替换文件所涉派出所的全部网格边界（文件中没有的网格将停用，其群组和线索转到接替的网格）",
        "Replace all grid boundaries of the stations in the file (grids not in the file are retired; their "
        "groups and tips go to the grid that takes their place)",
    ),
    "import.grids.replace_summary": (
        "替换预检：保留 {n_unchanged} 个，修改 {n_update} 个，新增 {n_add} 个，停用 {n_retire} 个网格；拒绝 {n_reject} 个要素。",
        "Replace, dry run: {n_unchanged} grids kept, {n_update} changed, {n_add} new, {n_retire} retired; "
        "{n_reject} features rejected.",
    ),
    "import.grids.retire_line": (
        "停用 {code} {name}：{groups} 个群、{tips} 条线索转到第 {successor} 个要素（{successor_name}）。",
        "Retire {code} {name}: {groups} groups and {tips} tips go to feature {successor} ({successor_name}).",
    ),
    "import.grids.retire_empty": (
        "停用 {code} {name}：没有群；{tips} 条线索将不再挂在网格上（仍属本所）。",
        "Retire {code} {name}: no groups; {tips} tips will no longer name a grid (they stay with the station).",
    ),
    "import.grids.kept_line": (
        "保留 {code} {name}：新边界中没有接替它的网格，而它还有群（{groups}）：请先把这些群改挂到其他网格，再重新导入。",
        "Kept {code} {name}: no grid of the new boundaries takes its place and it still has groups ({groups}): "
        "move them to other grids first, then import again.",
    ),
    "import.grids.replace_confirm": ("确认替换网格边界", "Replace the boundaries"),
    "import.grids.replace_done": (
        "已替换：新增 {added} 个、修改 {updated} 个、停用 {retired} 个网格；{groups_moved} 个群、{tips_moved} 条线索已转到接替的网格。",
        "Replaced: {added} grids added, {updated} changed, {retired} retired; {groups_moved} groups and "
        "{tips_moved} tips moved to the grids that took their place.",
    ),
    "import.grids.replace_no_skip": (
        "替换必须整体进行：请先修正被拒绝的要素。",
        "A replacement is all or nothing: fix the rejected features first.",
    ),
    "import.grids.mapping": ("属性对应（可修改）", "Property mapping (you may correct it)"),
    "import.grids.mapping_help": (
        "左边是系统需要的信息，右边选文件中的哪个属性；名称必填，派出所可不填（按位置推断）。",
        "For each field, pick the file's property; the name is required, the station may be left out (inferred "
        "from where the grid lies).",
    ),
    "import.grids.field.name": ("网格名称", "Grid name"),
    "import.grids.field.code": ("网格编码", "Grid code"),
    "import.grids.field.station": ("所属派出所", "Station"),
    "import.grids.field.outpost": ("警务室", "Outpost"),
    "import.grids.field.population": ("人口", "Population"),
    "import.grids.field.households": ("户数", "Households"),
    "import.grids.field.section_label": ("片区类型", "Section label"),
    "import.grids.area": ("面积 {area} km²", "Area {area} km²"),
    "import.grids.summary": (
        "预检结果：新增 {n_add} 个网格，更新 {n_update} 个，拒绝 {n_reject} 个要素。",
        "Dry run: {n_add} grids to add, {n_update} to update, {n_reject} features rejected.",
    ),
    "import.grids.skip_rejected": ("跳过被拒绝的要素，只导入通过的", "Skip rejected features, import the rest"),
    "import.grids.confirm": ("确认导入网格边界", "Import the boundaries"),
    "import.grids.done": ("已导入：新增 {added} 个网格，更新 {updated} 个。", "Imported: {added} grids added, {updated} updated."),
}
