"""Messages of account administration (账户管理) and the first-login password change."""

MESSAGES: dict[str, tuple[str, str]] = {
    "accounts.title": ("账户管理", "Accounts"),
    "accounts.intro_district": (
        "全区所有账户。新建账户和重置密码会生成一个临时密码，只显示一次；本人首次登录时必须改成自己的密码。"
        "每项操作都记入操作日志。",
        "Every account of the district. A new account and a reset get a temporary password, shown once; its owner "
        "must replace it at the first login. Every change is logged."),
    "accounts.intro_station": (
        "本所的账户。所领导可以为本所民警新建账户、重置密码、停用和启用；其他调整请联系联动中心。"
        "临时密码只显示一次，本人首次登录时必须修改。",
        "Your station's accounts. A station admin creates, resets, disables and re-enables the station's clerks; "
        "for anything else ask the linkage center. A temporary password is shown once and must be replaced at "
        "the first login."),
    "accounts.search": ("查找账户", "Find an account"),
    "accounts.search_placeholder": ("输入用户名、姓名或单位", "Username, name or unit"),
    "accounts.with_records": ("也显示没有登录的民警记录（如群主）", "Also show officers kept only as records (e.g. group owners)"),
    "accounts.count": ("共 {n} 个账户", "{n} accounts"),
    "accounts.col.username": ("用户名", "Username"),
    "accounts.col.name": ("姓名", "Name"),
    "accounts.col.role": ("角色", "Role"),
    "accounts.col.unit": ("单位", "Unit"),
    "accounts.col.status": ("状态", "Status"),
    "accounts.status.active": ("在用", "Active"),
    "accounts.status.disabled": ("已停用", "Disabled"),
    "accounts.status.locked": ("已锁定（密码错误次数过多）", "Locked (too many wrong passwords)"),
    "accounts.status.must_change": ("在用 · 待本人修改临时密码", "Active · temporary password not yet changed"),
    "accounts.status.no_login": ("无登录（仅作群主等记录）", "No login (a record, e.g. a group owner)"),
    "accounts.create.title": ("新建账户", "New account"),
    "accounts.username": ("用户名", "Username"),
    "accounts.username_placeholder": ("字母、数字或 . _ -，如 zhangwei01", "Letters, digits or . _ -, e.g. zhangwei01"),
    "accounts.name": ("姓名", "Name"),
    "accounts.name_placeholder": ("如：张伟", "e.g. 张伟"),
    "accounts.role": ("角色", "Role"),
    "accounts.unit": ("单位", "Unit"),
    "accounts.unit_placeholder": ("请选择单位", "Choose a unit"),
    "accounts.create.submit": ("新建账户", "Create the account"),
    "accounts.issued": ("账户 {username} 的临时密码：", "Temporary password of {username}:"),
    "accounts.issued_hint": (
        "只显示这一次，请当面或通过内网安全渠道告知本人。本人首次登录后必须改成自己的密码。",
        "Shown this once: give it to its owner in person or through a safe intranet channel. The owner must "
        "replace it at the first login."),
    "accounts.copy": ("复制临时密码", "Copy the password"),
    "accounts.manage.title": ("管理账户", "Manage an account"),
    "accounts.pick": ("选择账户", "Account"),
    "accounts.pick_placeholder": ("选择要管理的账户（可输入文字搜索）", "Choose an account (type to search)"),
    "accounts.none_manageable": ("没有您可以管理的账户。", "There is no account you may manage."),
    "accounts.reset.title": ("重置密码", "Reset the password"),
    "accounts.reset.confirm": (
        "确认重置：该账户已登录的浏览器都会退出，锁定也会解除", "Confirm: every browser of this account is logged out, "
        "and a lock is lifted"),
    "accounts.reset.submit": ("重置密码", "Reset the password"),
    "accounts.reset.need_confirm": ("请先勾选确认。", "Tick the confirmation first."),
    "accounts.disable": ("停用账户", "Disable the account"),
    "accounts.enable": ("重新启用账户", "Enable the account again"),
    "accounts.disabled_done": ("已停用 {username}，其会话在下一次点击时结束。",
                               "{username} is disabled; their sessions end at their next click."),
    "accounts.enabled_done": ("已重新启用 {username}。", "{username} is enabled again."),
    "accounts.role.title": ("调整角色和单位", "Change role and unit"),
    "accounts.role.submit": ("保存角色和单位", "Save role and unit"),
    "accounts.role.done": ("已保存 {username} 的角色和单位。", "Saved the role and unit of {username}."),
    "accounts.must_change": (
        "管理员为您设置了临时密码。请先在下面改成您自己的密码，之后才能使用其他功能。",
        "An administrator set a temporary password for you. Change it to your own below before anything else."),
    "error.disable_self": ("不能停用自己的账户。", "You cannot disable your own account."),
}
