"""Messages of the foundation: app shell, login, workbench, account, errors, roles."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Between names in running text (i18n.join)
    "ui.list_separator": ("、", ", "),
    # Streamlit's hints under a field being typed in (lib/ui/ui.py hint_css)
    "ui.hint.apply": ("按回车键确认", "Press Enter to apply"),
    "ui.upload.pick": ("选择文件", "Choose a file"),
    "ui.upload.drop": ("或把文件拖到这里 · 每个文件最大 {max_mb} MB", "or drop a file here · up to {max_mb} MB each"),
    "ui.hint.apply_multiline": ("按 Ctrl+回车键确认，或点到别处", "Press Ctrl+Enter to apply, or click elsewhere"),
    "ui.hint.submit": ("按回车键提交", "Press Enter to submit"),
    "ui.hint.submit_multiline": ("按 Ctrl+回车键提交", "Press Ctrl+Enter to submit"),
    "app.title": (
        "新百千万工作平台",
        "Community Policing Portal",
    ),
    "app.subtitle": (
        "海门区公安局 · 警网融合社会治理工作平台",
        "Haimen District Police · Police-grid community governance portal",
    ),
    "app.language": (
        "语言 / Language",
        "语言 / Language",
    ),
    "app.demo_banner": (
        "演示数据：本系统当前运行演示辖区，数据均为虚构。",
        "Demo data: this portal runs the demo district; all data is fictitious.",
    ),

    "nav.section.public": (
        "群众服务",
        "For residents",
    ),
    "nav.section.work": (
        "工作",
        "Work",
    ),
    "nav.section.pushes": ("推送", "Pushes"),
    "nav.section.grids": ("网格与群组", "Grids and groups"),
    "nav.section.resources": ("资源与规则", "Resources and rules"),
    "nav.section.account": (
        "账户",
        "Account",
    ),
    "nav.home": (
        "工作台",
        "Workbench",
    ),
    "nav.tip": (
        "线索提交",
        "Send a tip",
    ),
    "nav.track": (
        "进度查询",
        "Track a tip",
    ),
    "nav.login": (
        "民警登录",
        "Staff login",
    ),
    "nav.account": (
        "我的账户",
        "My account",
    ),

    "login.title": (
        "民警登录",
        "Staff login",
    ),
    "login.intro": (
        "请使用公安内网账号登录。群众提交线索无需登录。",
        "Log in with your police intranet account. Residents need no login to send a tip.",
    ),
    "login.username": (
        "用户名",
        "Username",
    ),
    "login.password": (
        "密码",
        "Password",
    ),
    "login.submit": (
        "登录",
        "Log in",
    ),
    "login.missing": (
        "请输入用户名和密码。",
        "Enter your username and password.",
    ),
    "login.failed": (
        "用户名或密码不正确。",
        "Wrong username or password.",
    ),
    "login.locked": (
        "登录失败次数过多，账户已锁定，请于 {until} 后再试，或联系联动中心重置密码。",
        "Too many failed logins: the account is locked until {until}. Try again then, or ask the linkage center to reset your password.",
    ),
    "login.need_login": (
        "该页面需要登录后访问。",
        "This page needs a login.",
    ),
    "login.logout": (
        "退出登录",
        "Log out",
    ),
    "login.logged_out": (
        "您已安全退出。",
        "You have logged out.",
    ),
    "login.signed_in_as": (
        "{name}（{role}）· {unit}",
        "{name} ({role}) · {unit}",
    ),

    "home.title": (
        "工作台",
        "Workbench",
    ),
    "home.scope_district": (
        "全区",
        "Whole district",
    ),
    "home.scope_station": (
        "本所：{station}",
        "Station: {station}",
    ),
    "home.groups": (
        "微信群",
        "Groups",
    ),
    "home.members": (
        "群成员",
        "Group members",
    ),
    "home.grids": (
        "网格",
        "Grids",
    ),
    "home.residents": (
        "网格常住人口",
        "Residents in grids",
    ),
    "home.coverage": (
        "人口覆盖率",
        "Population coverage",
    ),
    "home.coverage_help": (
        "群成员总数 ÷ 综合网格常住人口；项目目标 {target}%。",
        "All group members ÷ residents of the comprehensive grids; program target {target}%.",
    ),
    "home.grids_without_group": (
        "未建群网格",
        "Grids without a group",
    ),
    "home.outposts": (
        "平安前哨工作站",
        "Outposts",
    ),
    "home.by_category": (
        "各类网格",
        "Grids by category",
    ),
    "home.col.category": (
        "网格类别",
        "Grid category",
    ),
    "home.col.grids": (
        "网格数",
        "Grids",
    ),
    "home.col.groups": (
        "群数",
        "Groups",
    ),
    "home.col.members": (
        "群成员",
        "Members",
    ),
    "home.col.population": (
        "服务人口",
        "People served",
    ),
    "home.col.without_group": (
        "未建群",
        "Without group",
    ),
    "home.by_station": (
        "各派出所",
        "Stations",
    ),
    "home.col.station": (
        "派出所",
        "Station",
    ),
    "home.col.coverage": (
        "覆盖率 %",
        "Coverage %",
    ),
    "home.below_target": (
        "低于 {target}% 覆盖目标的派出所：{stations}。",
        "Stations below the {target}% coverage target: {stations}.",
    ),
    "home.pending_title": (
        "待办",
        "To do",
    ),
    "home.todo_tips": (
        "待办线索",
        "Open tips",
    ),
    "home.todo_overdue": (
        "答复已超时",
        "Overdue",
    ),
    "home.todo_overdue_hint": (
        "请到线索研判优先处理",
        "Handle these first in triage",
    ),
    "home.todo_reviews": (
        "待我审核的推送",
        "Pushes awaiting my review",
    ),
    "home.todo_cases": ("在办调解案件", "Open mediation cases"),
    "home.todo_sessions": ("7 天内视频调解", "Video sessions in 7 days"),

    "account.title": (
        "我的账户",
        "My account",
    ),
    "account.username": (
        "用户名",
        "Username",
    ),
    "account.role": (
        "角色",
        "Role",
    ),
    "account.unit": (
        "所属单位",
        "Unit",
    ),
    "account.password.title": ("修改密码", "Change password"),
    "account.password.current": ("当前密码", "Current password"),
    "account.password.new": ("新密码", "New password"),
    "account.password.repeat": ("再次输入新密码", "New password again"),
    "account.password.help": (
        "至少 8 位，并且包含字母、数字、符号中的至少两类。修改后，您在其他浏览器上的登录都会退出。",
        "At least 8 characters mixing at least two of letters, digits and symbols. Changing it ends your "
        "sessions in every other browser.",
    ),
    "account.password.submit": ("修改密码", "Change password"),
    "account.password.done": (
        "密码已修改。其他浏览器上的登录已退出，本页仍保持登录。",
        "Password changed. Your sessions in other browsers have ended; this one stays logged in.",
    ),
    "account.error.current_wrong": ("当前密码不正确。", "The current password is not correct."),
    "account.error.mismatch": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "account.error.same": ("新密码不能与当前密码相同。", "The new password must differ from the current one."),
    "account.error.weak": (
        "新密码太简单：请混合字母、数字、符号中的至少两类。",
        "The new password is too simple: mix at least two of letters, digits and symbols.",
    ),
    "account.error.locked": (
        "密码输错次数过多，账户暂时锁定，请稍后再试。",
        "Too many wrong passwords: the account is locked for now. Try again later.",
    ),
    "account.logout_all": (
        "退出登录会使该账户在所有浏览器上的登录失效。",
        "Logging out ends this account's sessions in every browser.",
    ),

    "tip.title": (
        "线索提交",
        "Send a tip",
    ),

    "track.title": (
        "进度查询",
        "Track a tip",
    ),

    "error.fields": ("请按提示修改后再提交。", "Please correct the fields marked."),
    "error.scope": (
        "您无权查看或修改该数据。",
        "You may not see or change this record.",
    ),
    "error.not_found": (
        "未找到该记录，或您无权查看。",
        "Record not found, or not yours to see.",
    ),
    "error.db_unwritable": (
        "数据库文件无法打开或写入（{path}）。请检查目录权限和磁盘空间，数据未作改动。",
        "The database file cannot be opened or written ({path}). Check folder permissions and disk space; no data was changed.",
    ),
    "error.db_corrupt": (
        "数据库文件已损坏或不是本系统的数据库（{path}）。请从备份恢复，或设置 PORTAL_DB 指向正确的文件。",
        "The database file is damaged or not a portal database ({path}). Restore a backup, or point PORTAL_DB at the right file.",
    ),
    "error.retention_years": (
        "PORTAL_TIP_RETENTION_YEARS 的值“{value}”无效：应为 1 到 {max} 之间的整数（年）。",
        "PORTAL_TIP_RETENTION_YEARS is “{value}”: it must be a whole number of years from 1 to {max}.",
    ),
    "error.restore_missing": (
        "没有找到备份文件（{path}），未做恢复。",
        "There is no backup file at {path}; nothing was restored.",
    ),
    "error.restore_bad": (
        "备份文件（{path}）已损坏或不是本平台的数据库（{detail}），未做恢复。",
        "The backup {path} is damaged or not a portal database ({detail}); nothing was restored.",
    ),
    "error.serve_demo_accounts": (
        "数据库中仍有演示账户（{names}），不能作为正式系统运行。请停用或删除这些账户，或使用新的数据库。",
        "The database still holds demo accounts ({names}); it cannot run as a live system. Disable them or "
        "start from a new database.",
    ),
    "error.last_district_admin": (
        "这是最后一个可登录的区级管理员账户，不能停用，否则没有人能再管理账户。请先启用或创建另一个区级管理员。",
        "This is the last district admin who can log in; disabling it would leave nobody to manage accounts. "
        "Enable or create another district admin first.",
    ),
    "error.backup_no_database": (
        "没有找到要备份的数据库（{path}），未做备份。请检查 PORTAL_DB 设置。",
        "There is no database to back up at {path}; nothing was backed up. Check PORTAL_DB.",
    ),
    "error.backup_exists": (
        "备份文件已存在（{path}），未覆盖。请换一个文件名。",
        "The backup file already exists ({path}) and was not overwritten. Choose another name.",
    ),
    "error.db_busy": (
        "数据库正忙，请稍后重试。",
        "The database is busy; try again in a moment.",
    ),
    "error.migration_failed": (
        "数据库升级第 {version} 步（{name}）失败，已回滚，数据保持原样。请联系管理员。",
        "Database upgrade step {version} ({name}) failed and was rolled back; the data is unchanged. Contact the administrator.",
    ),
    "error.secrets_unwritable": (
        "无法创建密钥文件（{path}）。请检查目录权限，或通过环境变量 PORTAL_COOKIE_KEY 提供密钥。",
        "The secrets file cannot be created ({path}). Check folder permissions, or provide the key in PORTAL_COOKIE_KEY.",
    ),
    "error.demo_not_empty": (
        "数据库已有数据，不能导入演示辖区。",
        "The database already holds data; the demo district cannot be loaded into it.",
    ),
    "error.password_short": (
        "密码至少需要 {min} 个字符。",
        "The password needs at least {min} characters.",
    ),
    "error.password_long": (
        "密码不能超过 {max} 个字节。",
        "The password may not exceed {max} bytes.",
    ),
    "error.username_invalid": (
        "用户名只能包含字母、数字、点、下划线和连字符，最长 64 个字符。",
        "Usernames may hold letters, digits, dots, underscores and hyphens, up to 64 characters.",
    ),
    "error.username_taken": (
        "该用户名已被使用。",
        "This username is taken.",
    ),
    "error.name_invalid": (
        "请填写姓名（最多 64 个字符）。",
        "Enter a name (up to 64 characters).",
    ),
    "error.role_invalid": (
        "角色无效。",
        "Unknown role.",
    ),
    "error.unit_invalid": (
        "所属单位不存在。",
        "Unknown unit.",
    ),
    "error.role_unit_mismatch": (
        "联动中心管理员必须属于联动中心，派出所角色必须属于派出所或工作站。",
        "District admins belong to the linkage center; station roles belong to a station or outpost.",
    ),

    "role.district_admin": (
        "联动中心管理员",
        "District admin",
    ),
    "role.station_admin": (
        "派出所管理员",
        "Station admin",
    ),
    "role.clerk": (
        "民警/文员",
        "Clerk / officer",
    ),
}
