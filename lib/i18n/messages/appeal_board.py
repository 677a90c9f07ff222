"""Messages of the appeal board (协查看板)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "board.title": ("协查看板", "Appeal board"),
    "board.intro": ("正在进行的协查通报、寻人启事和悬赏通告：每条从发出起计时，目标是 {mark} 分钟内收到首条线索。"
                    "数字每 10 秒自动刷新。",
                    "Active appeals for information, each timed from when it was sent: the aim is a first lead "
                    "within {mark} minutes. The figures refresh by themselves every 10 seconds."),
    "board.sound": ("提示音", "Sound"),
    "board.sound_help": ("收到新线索时响一声提示音（浏览器可能要求先在页面上点击一次才能发声）。",
                         "A short sound when a new lead arrives (the browser may need one click on the page first)."),
    "board.count": ("进行中 {n} 条", "{n} active"),
    "board.empty": ("目前没有进行中的协查通报。", "No active appeal right now."),
    "board.empty_how": ("协查通报、寻人启事、悬赏通告发出后会出现在这里，实时显示已发出多长时间、覆盖多少群和群众、"
                        "送达进度、收到多少线索，以及首条线索与 {mark} 分钟目标的差距。\n\n"
                        "发布方法：在“推送编辑”中新建一条“协查通报”类推送，选择协查类型、填写内容和照片，提交审核；"
                        "所领导在“推送记录”中审核通过并发送后，计时开始。结束后（已找到、已破案或撤回）它会离开看板。",
                        "Appeals for information (wanted notices, missing persons, case appeals) appear here once sent, "
                        "with the time since sending, the groups and residents reached, delivery progress, the leads "
                        "received, and the first lead against the {mark}-minute mark.\n\n"
                        "To issue one: in Compose, start a push of the category “Appeal for information”, choose its "
                        "kind, fill in the particulars and a photo, and submit it for review; the clock starts when a "
                        "station admin approves and sends it in Pushes. Once closed (found, solved or withdrawn) it "
                        "leaves the board."),
    "board.to_compose": ("去推送编辑", "Go to Compose"),
    "board.district": ("区联动中心", "District linkage center"),
    "board.sent_line": ("{kind} · {station} · {at} 发出 · 推送 #{id}", "{kind} · {station} · sent {at} · push #{id}"),
    "board.sent_for": ("已发出", "Sent"),
    "board.sent_ago": ("{span}", "{span} ago"),
    "board.reach": ("覆盖", "Reach"),
    "board.reach_groups": ("{n} 个群", "{n} groups"),
    "board.reach_members": ("{n} 名群成员", "{n} members"),
    "board.leads": ("线索", "Leads"),
    "board.leads_value": ("{n} 条", "{n}"),
    "board.unanswered": ("待答复 {n} 条", "{n} unanswered"),
    "board.all_answered": ("均已答复", "all answered"),
    "board.first_lead": ("首条线索", "First lead"),
    "board.first_lead_value": ("{span}", "after {span}"),
    "board.no_lead": ("尚未收到", "none yet"),
    "board.first_lead_help": ("从发出到收到第一条线索用了多长时间。", "Time from sending to the first lead."),
    "board.mark.faster": ("比 {mark} 分钟目标快 {span}", "{span} ahead of the {mark}-minute mark"),
    "board.mark.on_mark": ("正好在 {mark} 分钟目标内", "Right on the {mark}-minute mark"),
    "board.mark.slower": ("首条线索比 {mark} 分钟目标慢 {span}", "First lead {span} after the {mark}-minute mark"),
    "board.mark.waiting": ("距 {mark} 分钟还剩 {span}", "{span} left to the {mark}-minute mark"),
    "board.mark.reached": ("已到 {mark} 分钟，尚无线索", "{mark} minutes reached, no lead yet"),
    "board.mark.over": ("已超过 {mark} 分钟目标 {span}", "{span} past the {mark}-minute mark"),
    "board.delivery": ("已送达 {done} / {total} 个群", "Delivered to {done} of {total} groups"),
    "board.delivery_none": ("本单位范围内没有送达记录", "No delivery in your scope"),
    "board.to_leads": ("查看线索 ({n})", "See the leads ({n})"),
    "board.close": ("结束协查", "Close this appeal"),
    "board.close_intro": ("结束后，这条通报离开看板，未答复的线索不再排在线索队列最前面（仍需答复）。",
                          "Once closed, the appeal leaves the board and its unanswered leads no longer head the "
                          "queue (they still need an answer)."),
    "board.outcome": ("结果", "Outcome"),
    "board.outcome.found": ("已找到", "Found"),
    "board.outcome.solved": ("已破案", "Solved"),
    "board.outcome.withdrawn": ("撤回", "Withdrawn"),
    "board.outcome.expired": ("到期归档", "Archived after 30 days"),
    "board.note": ("备注（可不填）", "Note (optional)"),
    "board.note_placeholder": ("例如：在汽车站附近找到，已平安回家", "e.g. found near the bus station, home safe"),
    "board.confirm": ("确认结束", "Close it"),
    "board.closed": ("已结束：{title}（{outcome}）。", "Closed: {title} ({outcome})."),
    "board.follow_up_offer": ("向原来的 {groups} 个群发一条后续通报，告诉群众结果并致谢，请大家不要再转发原通报。",
                              "Tell the same {groups} groups how it ended, thank residents, and ask them to stop "
                              "forwarding the appeal."),
    "board.follow_up.found": ("发布后续通报（已找到，感谢群众）", "Write a follow-up (found — thank you)"),
    "board.follow_up.solved": ("发布后续通报（已破案，感谢群众）", "Write a follow-up (solved — thank you)"),
    "board.follow_up.withdrawn": ("发布后续通报（已撤回，请勿再转发）", "Write a follow-up (withdrawn — stop forwarding)"),
    "board.follow_up_skip": ("不发布", "No follow-up"),
    "board.dismiss": ("知道了", "Dismiss"),
    "board.follow_up_made": ("已生成后续通报草稿《{title}》（#{id}），发送范围与原通报相同。请检查后发送。",
                             "Follow-up draft “{title}” (#{id}) made, to the appeal's audience. Check it and send it."),
    "board.follow_up_open": ("打开草稿，检查后发送", "Open the draft to check and send it"),
    "board.toast.first_lead": ("《{title}》收到首条线索：发出后 {span}。", "“{title}”: first lead, {span} after sending."),
    "board.toast.new_leads": ("《{title}》收到 {n} 条新线索，共 {total} 条。",
                              "“{title}”: {n} new leads, {total} in all."),
}
