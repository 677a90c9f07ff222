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
}
