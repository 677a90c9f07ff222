"""The message catalog: every UI string, in Simplified Chinese (default) and English.

Pages call ``t(key, lang, **params)``; a test fails when a key is missing in either
language or a key used in the code is not in the catalog.
"""

from __future__ import annotations

from lib import taxonomy

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

CATALOG: dict[str, dict[str, str]] = {
    "zh": {
        # app
        "app.title": "新百千万工作平台",
        "app.subtitle": "海门区公安局 · 警网融合社会治理工作平台",
        "app.language": "语言 / Language",
        "app.demo_banner": "演示数据：本系统当前运行演示辖区，数据均为虚构。",
        "nav.section.public": "群众服务",
        "nav.section.work": "工作",
        "nav.section.account": "账户",
        "nav.home": "工作台",
        "nav.tip": "线索提交",
        "nav.track": "进度查询",
        "nav.login": "民警登录",
        "nav.account": "我的账户",
        # login
        "login.title": "民警登录",
        "login.intro": "请使用公安内网账号登录。群众提交线索无需登录。",
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.missing": "请输入用户名和密码。",
        "login.failed": "用户名或密码不正确。",
        "login.locked": "登录失败次数过多，账户已锁定，请于 {until} 后再试，或联系联动中心重置密码。",
        "login.success": "登录成功，正在进入……",
        "login.need_login": "该页面需要登录后访问。",
        "login.logout": "退出登录",
        "login.logged_out": "您已安全退出。",
        "login.signed_in_as": "{name}（{role}）· {unit}",
        # home
        "home.title": "工作台",
        "home.scope_district": "全区",
        "home.scope_station": "本所：{station}",
        "home.groups": "微信群",
        "home.members": "群成员",
        "home.grids": "网格",
        "home.residents": "网格常住人口",
        "home.coverage": "人口覆盖率",
        "home.coverage_help": "群成员总数 ÷ 综合网格常住人口；项目目标 {target}%。",
        "home.grids_without_group": "未建群网格",
        "home.outposts": "平安前哨工作站",
        "home.by_category": "各类网格",
        "home.col.category": "网格类别",
        "home.col.grids": "网格数",
        "home.col.groups": "群数",
        "home.col.members": "群成员",
        "home.col.population": "服务人口",
        "home.col.without_group": "未建群",
        "home.by_station": "各派出所",
        "home.col.station": "派出所",
        "home.col.coverage": "覆盖率 %",
        "home.below_target": "低于 {target}% 覆盖目标的派出所：{stations}。",
        "home.pending_title": "待办",
        "home.pending_pushes": "待审核推送：推送功能上线后在此显示。",
        "home.pending_tips": "待研判线索：线索功能上线后在此显示。",
        "home.pending_cases": "调解案件：调解功能上线后在此显示。",
        # account
        "account.title": "我的账户",
        "account.username": "用户名",
        "account.role": "角色",
        "account.unit": "所属单位",
        "account.logout_all": "退出登录会使该账户在所有浏览器上的登录失效。",
        # public placeholders
        "tip.title": "线索提交",
        "tip.placeholder": "群众线索提交表单即将上线。紧急情况请直接拨打 110。",
        "tip.from_push": "您正在回应推送 #{push}。",
        "tip.from_grid": "所在网格：{grid}",
        "track.title": "进度查询",
        "track.placeholder": "凭查询码查看线索办理进度的功能即将上线。",
        # errors
        "error.scope": "您无权查看或修改该数据。",
        "error.not_found": "未找到该记录，或您无权查看。",
        "error.generic": "操作未完成：{detail}",
        "error.db_unwritable": "数据库文件无法打开或写入（{path}）。请检查目录权限和磁盘空间，数据未作改动。",
        "error.db_corrupt": "数据库文件已损坏或不是本系统的数据库（{path}）。请从备份恢复，或设置 PORTAL_DB 指向正确的文件。",
        "error.db_busy": "数据库正忙，请稍后重试。",
        "error.migration_failed": "数据库升级第 {version} 步（{name}）失败，已回滚，数据保持原样。请联系管理员。",
        "error.secrets_unwritable": "无法创建密钥文件（{path}）。请检查目录权限，或通过环境变量 PORTAL_COOKIE_KEY 提供密钥。",
        "error.demo_not_empty": "数据库已有数据，不能导入演示辖区。",
        "error.password_short": "密码至少需要 {min} 个字符。",
        "error.password_long": "密码不能超过 {max} 个字节。",
        "error.username_invalid": "用户名只能包含字母、数字、点、下划线和连字符，最长 64 个字符。",
        "error.username_taken": "该用户名已被使用。",
        "error.name_invalid": "请填写姓名（最多 64 个字符）。",
        "error.role_invalid": "角色无效。",
        "error.unit_invalid": "所属单位不存在。",
        "error.role_unit_mismatch": "联动中心管理员必须属于联动中心，派出所角色必须属于派出所或工作站。",
        # roles
        "role.district_admin": "联动中心管理员",
        "role.station_admin": "派出所管理员",
        "role.clerk": "民警/文员",
    },
    "en": {
        "app.title": "Community Policing Portal",
        "app.subtitle": "Haimen District Police · Police-grid community governance portal",
        "app.language": "语言 / Language",
        "app.demo_banner": "Demo data: this portal runs the demo district; all data is fictitious.",
        "nav.section.public": "For residents",
        "nav.section.work": "Work",
        "nav.section.account": "Account",
        "nav.home": "Workbench",
        "nav.tip": "Send a tip",
        "nav.track": "Track a tip",
        "nav.login": "Staff login",
        "nav.account": "My account",
        "login.title": "Staff login",
        "login.intro": "Log in with your police intranet account. Residents need no login to send a tip.",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.missing": "Enter your username and password.",
        "login.failed": "Wrong username or password.",
        "login.locked": "Too many failed logins: the account is locked until {until}. Try again then, or ask the linkage center to reset your password.",
        "login.success": "Logged in, opening …",
        "login.need_login": "This page needs a login.",
        "login.logout": "Log out",
        "login.logged_out": "You have logged out.",
        "login.signed_in_as": "{name} ({role}) · {unit}",
        "home.title": "Workbench",
        "home.scope_district": "Whole district",
        "home.scope_station": "Station: {station}",
        "home.groups": "Groups",
        "home.members": "Group members",
        "home.grids": "Grids",
        "home.residents": "Residents in grids",
        "home.coverage": "Population coverage",
        "home.coverage_help": "All group members ÷ residents of the comprehensive grids; program target {target}%.",
        "home.grids_without_group": "Grids without a group",
        "home.outposts": "Outposts",
        "home.by_category": "Grids by category",
        "home.col.category": "Grid category",
        "home.col.grids": "Grids",
        "home.col.groups": "Groups",
        "home.col.members": "Members",
        "home.col.population": "People served",
        "home.col.without_group": "Without group",
        "home.by_station": "Stations",
        "home.col.station": "Station",
        "home.col.coverage": "Coverage %",
        "home.below_target": "Stations below the {target}% coverage target: {stations}.",
        "home.pending_title": "To do",
        "home.pending_pushes": "Pushes awaiting review will show here once pushes are built.",
        "home.pending_tips": "Tips awaiting triage will show here once tips are built.",
        "home.pending_cases": "Mediation cases will show here once mediation is built.",
        "account.title": "My account",
        "account.username": "Username",
        "account.role": "Role",
        "account.unit": "Unit",
        "account.logout_all": "Logging out ends this account's sessions in every browser.",
        "tip.title": "Send a tip",
        "tip.placeholder": "The public tip form is coming soon. In an emergency call 110.",
        "tip.from_push": "You are answering push #{push}.",
        "tip.from_grid": "Grid: {grid}",
        "track.title": "Track a tip",
        "track.placeholder": "Following a tip with its tracking code is coming soon.",
        "error.scope": "You may not see or change this record.",
        "error.not_found": "Record not found, or not yours to see.",
        "error.generic": "Not done: {detail}",
        "error.db_unwritable": "The database file cannot be opened or written ({path}). Check folder permissions and disk space; no data was changed.",
        "error.db_corrupt": "The database file is damaged or not a portal database ({path}). Restore a backup, or point PORTAL_DB at the right file.",
        "error.db_busy": "The database is busy; try again in a moment.",
        "error.migration_failed": "Database upgrade step {version} ({name}) failed and was rolled back; the data is unchanged. Contact the administrator.",
        "error.secrets_unwritable": "The secrets file cannot be created ({path}). Check folder permissions, or provide the key in PORTAL_COOKIE_KEY.",
        "error.demo_not_empty": "The database already holds data; the demo district cannot be loaded into it.",
        "error.password_short": "The password needs at least {min} characters.",
        "error.password_long": "The password may not exceed {max} bytes.",
        "error.username_invalid": "Usernames may hold letters, digits, dots, underscores and hyphens, up to 64 characters.",
        "error.username_taken": "This username is taken.",
        "error.name_invalid": "Enter a name (up to 64 characters).",
        "error.role_invalid": "Unknown role.",
        "error.unit_invalid": "Unknown unit.",
        "error.role_unit_mismatch": "District admins belong to the linkage center; station roles belong to a station or outpost.",
        "role.district_admin": "District admin",
        "role.station_admin": "Station admin",
        "role.clerk": "Clerk / officer",
    },
}


def normalize_lang(lang: str | None) -> str:
    """``"en"`` for any English request, else the default Chinese."""
    return "en" if (lang or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``.

    A missing key shows as the key itself (never a crash in front of a user); the
    catalog test keeps that from shipping.
    """
    messages = CATALOG[normalize_lang(lang)]
    text = messages.get(key) or CATALOG[DEFAULT_LANG].get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def error_text(exc, lang: str | None) -> str:
    """The user-facing text of a :class:`lib.errors.PortalError`."""
    return t(exc.key, lang, **getattr(exc, "params", {}))


def term(name: str, code: str | None, lang: str | None) -> str:
    """Display name of a taxonomy code (grid category, label …) in ``lang``."""
    return taxonomy.label(name, code, normalize_lang(lang))
