"""Messages of the two import screens (groups from spreadsheets, grid boundaries from GeoJSON)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "import.groups.intro": (
        "上传民警日常使用的群台账（Excel .xlsx 或 CSV，最大 10 MB）。系统会自动识别表头和列，先预检、"
        "逐行说明将新增、更新或拒绝的原因；确认后才一次性写入。",
        "Upload the group register clerks keep (Excel .xlsx or CSV, up to 10 MB). Headers and columns are "
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
    "import.only_rejected": ("只看被拒绝的行", "Show rejected rows only"),
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
        "上传网格边界 GeoJSON（WGS-84 经纬度，Polygon/MultiPolygon；属性 name、station 必填，code、outpost、"
        "population、households、section_label 可选）。预检逐个要素检查几何、是否在辖区内、与现有网格是否重叠；"
        "确认后一次性写入。",
        "Upload grid boundaries as GeoJSON (WGS-84 lon/lat, Polygon/MultiPolygon; properties name and station "
        "required, code, outpost, population, households, section_label optional). The dry run checks each "
        "feature's geometry, that it lies in the district and does not overlap existing grids; confirm to write.",
    ),
    "import.grids.summary": (
        "预检结果：新增 {n_add} 个网格，更新 {n_update} 个，拒绝 {n_reject} 个要素。",
        "Dry run: {n_add} grids to add, {n_update} to update, {n_reject} features rejected.",
    ),
    "import.grids.skip_rejected": ("跳过被拒绝的要素，只导入通过的", "Skip rejected features, import the rest"),
    "import.grids.confirm": ("确认导入网格边界", "Import the boundaries"),
    "import.grids.done": ("已导入：新增 {added} 个网格，更新 {updated} 个。", "Imported: {added} grids added, {updated} updated."),
    "import.col.feature": ("要素", "Feature"),
    "import.col.code": ("编号", "Code"),
    "import.col.area": ("面积 km²", "Area km²"),
}
