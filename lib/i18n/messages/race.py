"""Messages of the appeal race (issue #10): the two clocks, notices, the appeal board, review,
posting by hand, handling in few clicks, and the sender's additions on the tracker."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the two clocks ---
    "triage.resolve.left": ("办结剩余 {span}", "{span} to resolve"),
    "triage.resolve.overdue": ("⚠ 办结超时 {span}", "⚠ resolution {span} late"),
    "tips.error.callback_missing": ("请写下回电的情况。", "Write what the call-back was about."),
    "tips.error.callback_long": ("回电记录最多 {max} 字。", "A call-back note is at most {max} characters."),
    # --- what a sender adds on the tracker ---
    "track.error.addition_short": ("请写下要补充的情况（至少 {min} 个字）。",
                                   "Write what you want to add (at least {min} characters)."),
    "track.error.addition_long": ("补充内容最多 {max} 字。", "An addition is at most {max} characters."),
    "track.error.erased": ("这条记录已按保存期限删除，不能再补充。如有新情况，请重新提交。",
                           "This record was deleted after its retention period; please send a new tip."),
    "guard.too_many_additions": ("补充太频繁了，请 {minutes} 分钟后再试。您写的内容还在。",
                                 "Too many additions; try again in {minutes} minutes. What you wrote is kept."),
    # --- appeals ---
    "appeals.error.not_active": ("这条协查通报已经结束，或还没有发出。", "This appeal is not active."),
    "appeals.error.not_yours": ("只有发布单位可以结束这条协查通报。", "Only the issuing unit can close this appeal."),
    "appeals.error.outcome": ("请选择结果：已找到、已破案或撤回。", "Choose an outcome: found, solved or withdrawn."),
    "appeals.error.not_closed": ("协查通报结束后才能发布后续通报。", "Close the appeal before its follow-up."),
    # --- notices (toasts at the next click, and the workbench) ---
    "notice.push_submitted": ("{by} 提交了推送《{title}》（#{id}），等待您审核。",
                              "{by} submitted push “{title}” (#{id}) for your review."),
    "notice.push_approved": ("您的推送《{title}》（#{id}）已由 {by} 审核通过，可以发送了。",
                             "Your push “{title}” (#{id}) was approved by {by}: you can send it now."),
    "notice.push_sent": ("您的推送《{title}》（#{id}）已由 {by} 审核通过并发送到 {groups} 个群。",
                         "Your push “{title}” (#{id}) was approved and sent to {groups} groups by {by}."),
    "notice.push_rejected": ("您的推送《{title}》（#{id}）被 {by} 退回：{reason}",
                             "Your push “{title}” (#{id}) was returned by {by}: {reason}"),
    "notice.tip_addition": ("群众对线索 #{id} 补充了情况（{chars} 字）。",
                            "The sender added to tip #{id} ({chars} characters)."),
    "notice.appeal_closed": ("协查通报 #{id} 已结束。", "Appeal #{id} was closed."),
    # --- small browser helpers ---
    "ui.copied": ("已复制", "Copied"),
    "ui.copy_failed": ("未能复制，请长按文字手动复制", "Could not copy: select the text and copy it"),
    "ui.locate": ("📍 使用我现在的位置", "📍 Use my current location"),
    "ui.locate_waiting": ("正在获取位置，请在弹出的提示中允许……", "Getting the location — allow it in the prompt …"),
    "ui.locate_done": ("已获取位置（只用于处置，不会公开）。", "Location taken (used for handling only, never shown)."),
    "ui.locate_refused": ("没有获取到位置，请在下面写出地点。", "No location: write the place below instead."),
    "ui.locate_unavailable": ("此浏览器不能提供位置，请在下面写出地点。",
                              "This browser cannot give a location here: write the place below."),
    # --- the workbench ---
    "home.todo_appeals": ("进行中的协查", "Active appeals"),
    "home.todo_appeal_leads": ("{n} 条线索待答复", "{n} leads to answer"),
    "home.go_triage": ("去线索研判", "Go to triage"),
    "home.go_appeals": ("去协查看板", "Go to the appeal board"),
    "home.review_one": ("审核推送 #{id}《{title}》", "Review push #{id} “{title}”"),
    "home.my_pushes": ("我的推送", "My pushes"),
    "home.my_pushes_none": ("没有正在进行的推送。", "No push on its way."),
    "home.push_line": ("#{id}《{title}》：{state}", "#{id} “{title}”: {state}"),
    "home.notices": ("最近提醒", "Latest notices"),
}
