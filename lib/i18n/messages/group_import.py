"""Messages of the group import (lib/grids/group_import.py, and the sheet reading and cell values it uses:
lib/grids/sheet_reader.py, lib/grids/cell_values.py): file refusals, row reasons, notes.

Row reasons say what is wrong and what to write instead; a page shows each one after
its row number with ``group_import.row``. ``{column}`` is the column's header as the
clerk's own sheet names it, ``{value}`` the cell as written.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the file ---------------------------------------------------------------------
    "group_import.error.too_large": (
        "文件超过 {max_mb} MB，请拆分成几个文件分批导入。",
        "The file is larger than {max_mb} MB; split it and import the parts one by one.",
    ),
    "group_import.error.empty_file": (
        "上传的文件是空的。",
        "The uploaded file is empty.",
    ),
    "group_import.error.file_type": (
        "不支持的文件“{filename}”：请上传 Excel 工作簿（.xlsx）或 CSV 文件。",
        "“{filename}” is not a supported file: upload an Excel workbook (.xlsx) or a CSV file.",
    ),
    "group_import.error.not_xlsx": (
        "该文件是压缩包，但不是 Excel 工作簿（.xlsx）：请在 Excel 中打开台账，另存为 .xlsx 或 CSV 后再上传。",
        "This file is a zip archive but not an Excel workbook (.xlsx): open the sheet in Excel and save it as .xlsx or CSV.",
    ),
    "group_import.error.xls": (
        "暂不支持旧版 Excel（.xls）文件：请在 Excel 中选择“另存为”→“Excel 工作簿（.xlsx）”或 CSV，再上传。",
        "Old Excel files (.xls) are not supported: in Excel choose Save As → Excel Workbook (.xlsx) or CSV, then upload that.",
    ),
    "group_import.error.encrypted": (
        "该 Excel 文件设有打开密码，系统无法读取：请在 Excel 中取消密码后重新保存，再上传。",
        "This Excel file is password-protected and cannot be read: remove the password in Excel, save, and upload again.",
    ),
    "group_import.error.xlsx_corrupt": (
        "Excel 文件已损坏或不是有效的 .xlsx 文件：请用 Excel 打开后重新保存，再上传。",
        "The Excel file is damaged or not a valid .xlsx file: open it in Excel, save it again, and upload that.",
    ),
    "group_import.error.xlsx_unpacked_too_large": (
        "该 Excel 文件解压后超过 {max_mb} MB，不像正常的群台账，已拒绝：请只保留群台账工作表，另存后再上传。",
        "This Excel file unpacks to more than {max_mb} MB, far more than a group ledger, and was refused: keep only the ledger sheet, save, and upload again.",
    ),
    "group_import.error.not_text": (
        "无法识别文件内容：请上传 Excel 工作簿（.xlsx）或 CSV 文件。",
        "The file's content is not a table: upload an Excel workbook (.xlsx) or a CSV file.",
    ),
    "group_import.error.csv_malformed": (
        "CSV 文件第 {row} 行格式有误（{detail}）：请用 Excel 打开后另存为 CSV，再上传。",
        "Row {row} of the CSV file is malformed ({detail}): open it in Excel, save it as CSV again, and upload that.",
    ),
    "group_import.error.too_many_rows": (
        "表格超过 {max} 行，请拆分成几个文件分批导入。",
        "The sheet has more than {max} rows; split it and import the parts one by one.",
    ),
    "group_import.error.too_many_columns": (
        "表格超过 {max} 列：请删除与群台账无关的列后再导入。",
        "The sheet has more than {max} columns: delete the columns unrelated to the group ledger and import again.",
    ),
    "group_import.error.no_data": (
        "文件中没有找到群台账数据：请确认表头下面有数据行。",
        "No ledger data found in the file: make sure there are data rows below the header.",
    ),

    # --- the column mapping -----------------------------------------------------------
    "group_import.error.mapping_field": (
        "列对应关系中有未知的字段：{names}。",
        "The column mapping names unknown fields: {names}.",
    ),
    "group_import.error.mapping_column": (
        "列对应关系有误：第 {column} 列不存在。",
        "The column mapping is wrong: there is no column {column}.",
    ),
    "group_import.error.mapping_duplicate": (
        "“{column}”列被同时指定给了两个字段，请检查列对应关系。",
        "Column “{column}” is mapped to two fields; check the column mapping.",
    ),
    "group_import.error.mapping_no_name": (
        "请指定哪一列是“群名称”：没有群名称无法导入。",
        "Choose the column that holds the group name: nothing can be imported without it.",
    ),

    # --- row reasons ------------------------------------------------------------------
    "group_import.error.formula_no_value": (
        "“{column}”是公式（{formula}），但文件里没有保存计算结果：请用 Excel 打开并保存一次，或把该列“选择性粘贴为数值”后再上传。",
        "“{column}” is a formula ({formula}) saved without its result: open and save the file in Excel, or paste the column as values, then upload again.",
    ),
    "group_import.error.cell_error": (
        "“{column}”是 Excel 错误值“{value}”：请改正公式或直接填写内容。",
        "“{column}” holds the Excel error “{value}”: fix the formula or type the value.",
    ),
    "group_import.error.member_count_approx": (
        "{column}“{value}”不是确数，请填写整数。",
        "{column} “{value}” is an estimate; enter the exact whole number.",
    ),
    "group_import.error.member_count_range": (
        "{column}“{value}”是一个范围，请填写确切人数（整数）。",
        "{column} “{value}” is a range; enter the exact number of members (a whole number).",
    ),
    "group_import.error.member_count_not_number": (
        "{column}“{value}”不是整数，请填写阿拉伯数字，如 356。",
        "{column} “{value}” is not a whole number; enter digits, e.g. 356.",
    ),
    "group_import.error.date": (
        "{column}“{value}”不是可识别的日期，请写成 2021-03-05 或 2021年3月5日。",
        "{column} “{value}” is not a date that can be read; write it as 2021-03-05.",
    ),
    "group_import.error.platform": (
        "{column}“{value}”不是已知的平台，请填写 微信、企业微信 或 公安蓝信。",
        "{column} “{value}” is not a known platform; enter WeChat, WeCom or Police messenger (微信, 企业微信 or 公安蓝信).",
    ),
    "group_import.error.status": (
        "{column}“{value}”不是有效的状态，请填写 正常 或 停用。",
        "{column} “{value}” is not a valid status; enter active or archived (正常 or 停用).",
    ),
    "group_import.error.phone_scientific": (
        "{column}“{value}”被 Excel 显示成了科学计数法，号码已丢失：请把该列设为“文本”格式，重新填写号码后再导出。",
        "{column} “{value}” was saved by Excel in scientific notation and the number is lost: format the column as Text, retype the numbers and export again.",
    ),
    "group_import.error.station_unknown": (
        "派出所“{value}”不存在或不在您的权限范围内，请填写派出所全称（如 三星派出所）或代码（如 S06）。",
        "Station “{value}” does not exist or is outside your scope; enter the station's full name or its code (e.g. S06).",
    ),
    "group_import.error.station_other": (
        "您只能导入{own}的群，本行的派出所是“{value}”：请删除该行，或交由该所导入。",
        "You can import only the groups of {own}, and this row's station is “{value}”: delete the row, or leave it to that station.",
    ),
    "group_import.error.station_mismatch": (
        "群“{name}”属于{actual}，与本行填写的派出所“{value}”不一致，请核对。",
        "Group “{name}” belongs to {actual}, not to “{value}” as this row says; check the row.",
    ),
    "group_import.error.grid_missing": (
        "没有填写所属网格：请填写网格名称或网格编号（如 G000123）。",
        "No grid given: enter the grid's name or its code (e.g. G000123).",
    ),
    "group_import.error.grid_not_found": (
        "{station}没有网格“{value}”：请核对网格名称，或改填网格编号（如 G000123）。",
        "{station} has no grid “{value}”: check the grid name, or enter the grid code (e.g. G000123).",
    ),
    "group_import.error.grid_unknown": (
        "网格“{value}”不存在或不在您的权限范围内：请核对网格名称，或改填网格编号（如 G000123）。",
        "Grid “{value}” does not exist or is outside your scope: check the name, or enter the grid code (e.g. G000123).",
    ),
    "group_import.error.grid_ambiguous": (
        "不止一个派出所有名为“{value}”的网格：请增加“派出所”列，或改填网格编号。",
        "More than one station has a grid named “{value}”: add a station column, or enter the grid code.",
    ),
    "group_import.error.grid_ambiguous_station": (
        "{station}有多个名为“{value}”的网格：请改填网格编号。",
        "{station} has several grids named “{value}”: enter the grid code instead.",
    ),
    "group_import.error.owner_missing": (
        "没有填写群主：请填写本所社区民警的姓名或用户名（如 pol060012）。",
        "No group owner given: enter the name or username (e.g. pol060012) of an officer of the station.",
    ),
    "group_import.error.owner_not_officer": (
        "群主“{value}”不是{station}的在岗民警：请填写本所民警的姓名或用户名（如 pol060012）。",
        "Owner “{value}” is not an active officer of {station}: enter the name or username (e.g. pol060012) of one of its officers.",
    ),
    "group_import.error.owner_ambiguous": (
        "{station}有 {count} 名民警叫“{value}”（{usernames}）：请改填群主的用户名。",
        "{station} has {count} officers named “{value}” ({usernames}): enter the owner's username instead.",
    ),
    "group_import.error.duplicate_copy": (
        "与第 {first} 行完全相同（群“{name}”），只导入第 {first} 行：可删除本行。",
        "An exact copy of row {first} (group “{name}”): only row {first} is imported; this row can be deleted.",
    ),
    "group_import.error.duplicate_differs": (
        "与第 {first} 行同名（群“{name}”）但内容不同，只导入第 {first} 行：请核对两行，把正确的内容合并到第 {first} 行后删除本行。",
        "Same group name as row {first} (“{name}”) with different cells: only row {first} is imported; check both, merge what is right into row {first} and delete this row.",
    ),
    "group_import.error.owner_not_any_officer": (
        "群主“{value}”不是任何派出所的在岗民警：请填写民警的姓名或用户名（如 pol060012）。",
        "Owner “{value}” is not an active officer of any station: enter an officer's name or username (e.g. pol060012).",
    ),
    "group_import.error.name_out_of_scope": (
        "群名称“{name}”已被占用或不在您的权限范围内，无法导入：如是新群，请换一个群名称。",
        "Group name “{name}” is taken or outside your scope and cannot be imported: give a new group another name.",
    ),

    # --- what deserves a look, and the fix ---------------------------------------------
    "group_import.warning.linked_formula": (
        "“{column}”是链接公式（{formula}）保存下来的显示文字“{value}”，不一定是真实内容：请核对。",
        "“{column}” holds “{value}”, the display text a link formula ({formula}) saved, which may not be the real value: check it.",
    ),
    "group_import.hint.closest_officers": (
        "最接近的民警：{names}。",
        "Closest officers: {names}.",
    ),
    "group_import.hint.officer_elsewhere": (
        "“{value}”是{officers}的民警：如确由其任群主，请填写该所的网格；否则请换成本所民警。",
        "“{value}” is an officer of {officers}: if they own the group, give a grid of that station; otherwise name an officer of this one.",
    ),
    "group_import.hint.closest_stations": (
        "最接近的派出所：{names}。",
        "Closest stations: {names}.",
    ),
    "group_import.hint.closest_grids": (
        "最接近的网格：{names}。",
        "Closest grids: {names}.",
    ),

    # --- writing ----------------------------------------------------------------------
    "group_import.error.changed_since_dry_run": (
        "第 {row} 行（{name}）在预检之后数据已有变化，本次导入已全部取消，没有写入任何数据：请重新上传预检后再导入。",
        "Row {row} ({name}) changed since the dry run, so the whole import was cancelled and nothing was written: upload the file again and re-check it.",
    ),
    "group_import.error.report_user": (
        "这份预检结果不是您本人生成的，请重新上传预检。",
        "This dry run was made by another user; upload the file and check it again.",
    ),

    # --- notes about the file ---------------------------------------------------------
    "group_import.note.sheet": (
        "读取的是工作表“{sheet}”。",
        "Read the worksheet “{sheet}”.",
    ),
    "group_import.note.header_row": (
        "表头在第 {row} 行，其上方的标题行已忽略。",
        "The header is row {row}; the title rows above it were skipped.",
    ),
    "group_import.note.header_guessed": (
        "没能识别出表头，已把第 {row} 行当作表头：请在下方逐列指定对应的字段。",
        "No header was recognised, so row {row} is taken as the header: choose each column's field below.",
    ),
    "group_import.note.totals_dropped": (
        "已忽略合计行：第 {rows} 行。",
        "Totals rows skipped: {rows}.",
    ),
    "group_import.note.header_repeated": (
        "已忽略重复的表头行：第 {rows} 行。",
        "Repeated header rows skipped: {rows}.",
    ),

    # --- the report on screen ---------------------------------------------------------
    "group_import.row": (
        "第 {row} 行：{reason}",
        "Row {row}: {reason}",
    ),
    "group_import.action.add": (
        "新增",
        "Add",
    ),
    "group_import.action.update": (
        "更新",
        "Update",
    ),
    "group_import.action.unchanged": (
        "无变化",
        "Unchanged",
    ),
    "group_import.action.retire": (
        "停用",
        "Retire",
    ),
    "group_import.action.kept": (
        "保留",
        "Kept",
    ),
    "group_import.action.reject": (
        "拒绝",
        "Rejected",
    ),
    "group_import.field.name": (
        "群名称",
        "Group name",
    ),
    "group_import.field.grid": (
        "所属网格",
        "Grid",
    ),
    "group_import.field.station": (
        "派出所",
        "Station",
    ),
    "group_import.field.platform": (
        "平台",
        "Platform",
    ),
    "group_import.field.owner": (
        "群主（民警）",
        "Owner (officer)",
    ),
    "group_import.field.admin_name": (
        "群管理员（网格员）",
        "Admin (grid worker)",
    ),
    "group_import.field.admin_phone": (
        "管理员电话",
        "Admin phone",
    ),
    "group_import.field.member_count": (
        "群成员数",
        "Members",
    ),
    "group_import.field.created_on": (
        "建群日期",
        "Created on",
    ),
    "group_import.field.status": (
        "状态",
        "Status",
    ),
    "group_import.name_nonstandard": (
        "群名不符合命名规范，建议改为“{proposed}”。",
        "The name breaks the naming standard; suggested: “{proposed}”.",
    ),
    "group_import.summary": (
        "预检结果：新增 {n_add} 个群，更新 {n_update} 个，无变化 {n_unchanged} 个，拒绝 {n_reject} 行。",
        "Dry run: {n_add} groups to add, {n_update} to update, {n_unchanged} unchanged, {n_reject} rows rejected.",
    ),
    "group_import.done": (
        "导入完成：新增 {created} 个群，更新 {updated} 个。",
        "Import done: {created} groups added, {updated} updated.",
    ),
}
