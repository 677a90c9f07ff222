"""Messages of the public tip form, the tracker and the anti-abuse guard (residents on a phone:
short sentences, plain words). ``tip.title`` and ``track.title`` live in core.py."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the form -------------------------------------------------------------------------
    "tip.intro": ("遇到问题、发现线索，都可以在这里告诉民警。情况紧急请直接拨打 110。",
                  "Tell the police about a problem or something you saw. In an emergency, call 110."),
    "tip.answering": ("您正在回应这条推送：", "You are answering this appeal:"),
    "tip.kind_label": ("您要反映哪类事情？", "What is it about?"),
    "tip.kind_help.request": ("需要帮忙解决的事：求助、邻里矛盾、生活困难",
                              "Something you need help with: a request, a dispute with neighbours"),
    "tip.kind_help.lead": ("与案件有关的情况：可疑的人或车、走失者的下落",
                           "Something about a case: a suspicious person or car, a missing person seen"),
    "tip.kind_help.inquiry": ("想问一问：办事流程、政策、法律问题",
                              "A question: how to get something done, rules, the law"),
    "tip.kind_help.complaint": ("举报违法行为，或投诉工作中的问题",
                                "Report an offence, or complain about how something was handled"),
    "tip.description_label": ("发生了什么？", "What happened?"),
    "tip.description_placeholder": ("请写清楚什么人、什么事、现在怎样。例如：小区东门停着一辆灰色面包车，车头有撞痕，已经停了三天。",
                                    "Who, what, and how things are now. For example: a grey van with a dented front"
                                    " has been parked at the east gate for three days."),
    "tip.description_help": ("至少 5 个字，最多 {max} 个字。", "At least 5 and at most {max} characters."),
    "tip.where_label": ("在哪里？（选填）", "Where? (optional)"),
    "tip.grid_label": ("所在社区 / 网格（可输入文字搜索）", "Community / grid (type to search)"),
    "tip.grid_placeholder": ("输入社区名搜索，如：中港社区", "Type a community's name"),
    "tip.place_label": ("或写下具体地点", "Or describe the place"),
    "tip.place_placeholder": ("如：三星镇叠石桥家纺城东门", "E.g. east gate of the textile market"),
    "tip.when_label": ("什么时候发生的？（选填）", "When did it happen? (optional)"),
    "tip.when_placeholder": ("如：今天下午3点、昨晚十点左右", "E.g. today at 3 pm, last night around 10"),
    "tip.when_stored": ("【发生时间（报料人填写）】{when}", "[When (as the sender wrote it)] {when}"),
    "tip.photos_label": ("照片（选填，最多 {max} 张）", "Photos (optional, up to {max})"),
    "tip.photos_help": ("JPG 或 PNG，每张不超过 {max_mb} MB。照片里的位置等信息会被自动去除。",
                        "JPG or PNG, up to {max_mb} MB each. Location data in photos is removed."),
    "tip.contact_label": ("联系方式", "Contact"),
    "tip.anonymous": ("匿名提交", "Send anonymously"),
    "tip.anonymous_help": ("匿名提交：我们不会知道您是谁；如需民警回电，请留下手机号。",
                           "Anonymous: we will not know who you are. If you want an officer to call you back,"
                           " leave your phone number."),
    "tip.contact_note": ("取消勾选“匿名提交”后，下面两项才会保存，只有承办民警和所领导能看到。",
                         "Untick “Send anonymously” to have the two fields below kept; only the officer in charge"
                         " and the station's heads can see them."),
    "tip.name_label": ("称呼（选填）", "Name (optional)"),
    "tip.name_placeholder": ("如：王先生", "E.g. Mr Wang"),
    "tip.phone_label": ("手机号", "Phone number"),
    "tip.phone_placeholder": ("11 位手机号", "11-digit mobile number"),
    "tip.rating_label": ("这条推送对您有帮助吗？（选填）", "Was this appeal helpful? (optional)"),
    "tip.consent_label": ("我已阅读并同意下面的说明", "I have read and agree to the note below"),
    # Three short paragraphs (Markdown, catalog text only): read on a phone, one question each.
    "tip.consent_text": ("**保存什么**：您写的内容、地点和照片（照片中的位置信息已去除）；不匿名时还有称呼和手机号。\n\n"
                         "**谁能看到**：负责办理的派出所民警；联系方式只有承办民警和所领导能看到。\n\n"
                         "**保存多久**：办结后保存 {years} 年，到期删除您写的内容、地点、照片和联系方式"
                         "（只保留类别、所属网格和办理时间，用于统计）。",
                         "**What is kept**: what you write, the place and the photos (their location data removed);"
                         " your name and phone if you are not anonymous.\n\n"
                         "**Who sees it**: the officers of the station handling it; your contact only the officer in"
                         " charge and the station's heads.\n\n"
                         "**How long**: {years} years after the case is closed; then what you wrote, the place, the"
                         " photos and your contact are deleted (only the kind, the grid and the dates stay, for"
                         " statistics)."),
    "tip.submit": ("提交", "Send"),
    "tip.fix_fields": ("没有提交成功：请按红字提示修改。您填写的内容都还在。",
                       "Not sent: fix what the red notes say. Everything you typed is still here."),
    "tip.photos_check": ("提交没有成功时，请看一下照片是否还在，不在的话请重新选择。",
                         "If sending failed, check that your photos are still there; choose them again if not."),
    "tip.photo_refused": ("有照片无法使用：{reason} 请删除它，再重新选择照片。",
                          "A photo could not be used: {reason} Remove it and choose the photos again."),
    "tip.error.anonymous_with_phone": ("您填写了手机号，但仍勾选着“匿名提交”。需要民警回电，请取消勾选“匿名提交”；"
                                       "不需要，请清空手机号。",
                                       "You gave a phone number but “Send anonymously” is still ticked. Untick it if"
                                       " you want a call back; otherwise clear the phone number."),
    "tip.done_title": ("已收到，谢谢您！", "Received — thank you!"),
    "tip.done_code": ("您的查询码", "Your tracking code"),
    "tip.done_save": ("请截图或抄下这个查询码：凭它可以查看办理进度和民警的答复。查询码丢失后无法找回。",
                      "Take a screenshot or write this code down: it shows the progress and the police's"
                      " replies. A lost code cannot be recovered."),
    "tip.done_track": ("查看办理进度", "Follow this tip"),
    "tip.done_again": ("再反映一件事", "Send another"),
    "tip.emergency": ("情况紧急请直接拨打 110。", "In an emergency, call 110."),
    # --- the guard ------------------------------------------------------------------------
    "guard.challenge_question": ("为防止恶意提交，请回答：{a} 加 {b} 等于几？（填数字）",
                                 "To keep robots out, answer: what is {a} plus {b}? (digits)"),
    "guard.challenge_wrong": ("答案不对，请重新计算（题目已更换）。", "Wrong answer; try again (the question has changed)."),
    "guard.too_many_tips": ("提交太频繁了，请 {minutes} 分钟后再试。您填写的内容都还在。",
                            "Too many messages sent; try again in {minutes} minutes. What you typed is kept."),
    "guard.too_many_lookups": ("查询太频繁了，请 {minutes} 分钟后再试。", "Too many lookups; try again in {minutes} minutes."),
    "guard.honeypot_label": ("网址（请勿填写）", "Website (leave empty)"),
    # --- the tracker ----------------------------------------------------------------------
    "track.intro": ("输入提交时得到的查询码（10 位字母和数字），查看办理进度和民警的答复。",
                    "Enter the code you got when you sent your tip (10 letters and digits) to see its progress"
                    " and the police's replies."),
    "track.code_label": ("查询码", "Tracking code"),
    "track.code_placeholder": ("如：ABCDE-23456", "E.g. ABCDE-23456"),
    "track.submit": ("查询", "Look up"),
    "track.not_found": ("没有找到这个查询码。请核对后再试（不分大小写，横线可以不写）。",
                        "No tip has this code. Check it and try again (case and dashes do not matter)."),
    "track.code_shown": ("查询码：{code}", "Code: {code}"),
    "track.kind": ("类型", "Kind"),
    "track.state": ("办理状态", "Status"),
    "track.received": ("收到时间（北京时间）", "Received (Beijing time)"),
    "track.updated": ("最近更新", "Last update"),
    "track.replies": ("民警答复", "Replies from the police"),
    "track.no_replies": ("暂时还没有答复。民警处理后会在这里答复您。",
                         "No reply yet. The police will reply here once they have looked into it."),
    "track.state.new": ("已收到", "Received"),
    "track.state.triaged": ("已受理", "Accepted"),
    "track.state.assigned": ("处理中", "Being handled"),
    "track.state.in_progress": ("处理中", "Being handled"),
    "track.state.resolved": ("已办结", "Done"),
    "track.state.closed": ("已办结", "Done"),
    "track.state.duplicate": ("已合并办理", "Handled together"),
    "track.state.rejected": ("未予受理", "Not taken up"),
    "track.state.referred": ("已转交", "Passed on"),
    "track.state_help.new": ("我们已收到您反映的情况，正在安排处理。", "We have it and are arranging for it to be handled."),
    "track.state_help.triaged": ("民警已看过您反映的情况，将安排办理。", "An officer has read it and will arrange for it."),
    "track.state_help.assigned": ("已安排民警办理。", "An officer has been put in charge."),
    "track.state_help.in_progress": ("民警正在办理。", "An officer is working on it."),
    "track.state_help.resolved": ("已经办理完毕。", "It has been dealt with."),
    "track.state_help.closed": ("已经办理完毕。", "It has been dealt with."),
    "track.state_help.duplicate": ("其他群众也反映了同一件事，将一并办理。",
                                   "Others reported the same thing; it is handled together."),
    "track.state_help.rejected": ("这件事不在公安机关的受理范围内，请看下面的答复。",
                                  "This is not something the police can take up; see the reply below."),
    "track.state_help.referred": ("已转交负责的部门办理，请看下面的答复。",
                                  "It was passed on to the body in charge; see the reply below."),
}
