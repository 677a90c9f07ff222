"""推送记录: every push of one's scope with its state, reach and delivery progress; the review panel
where an admin sees everything they approve (phone preview, photos, poster, audience with its live
reach, required fields, author, history) and approves and sends in one step; the posting checklist
by officer (an officer marks all their groups in one action); the residents' response, live.

The push shown is named by the url (``/pushes?push=174``), not by a widget labelled with text that
changes (a state, a title): see pages/compose.py for why.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.pushes import delivery, push_message, push_response, pushes
from lib.pushes.targeting import Target, reach, summary
from lib.tips import triage_queue
from lib.ui import ui

P = "pushlog_"
HISTORY_ACTIONS = ("create", "save_draft", "add_photo", "remove_photo", "submit", "approve", "reject", "revise",
                   "schedule", "send", "start", "finish", "withdraw", "create_deliveries", "close_appeal")


def _open(push_id: int) -> None:
    st.query_params["push"] = str(push_id)


def _flash(message: str) -> None:
    st.session_state[P + "flash"] = message
    st.rerun()


def _table(ctx: ui.Context, rows: list[dict]) -> int | None:
    """The list of pushes; a click on a row opens it (returns its id once)."""
    t = ctx.t
    frame = pd.DataFrame([{
        t("log.col.id"): r["id"], t("log.col.title"): r["title"],
        t("log.col.category"): i18n.term("push_categories", r["category"], ctx.lang),
        t("log.col.state"): t("pushes.state." + r["state"]),
        t("log.col.station"): r["station_name"] or t("log.district"), t("log.col.author"): r["author_name"],
        t("log.col.reach"): f"{r['groups_targeted']:,} / {r['members_targeted']:,}",
        t("log.col.updated"): triage_queue.local_time(r["updated_at"]),
    } for r in rows])
    event = st.dataframe(frame, hide_index=True, width="stretch", key=ui.table_key(P + "table"), on_select="rerun",
                         selection_mode="single-row", height=min(38 + 35 * len(rows), 320),
                         column_config={t("log.col.id"): st.column_config.NumberColumn(format="%d", width=60)})
    return ui.pick_row(event, [r["id"] for r in rows], P + "table")


# --- review -------------------------------------------------------------------------------


def _audience(ctx: ui.Context, push: dict) -> None:
    """Who the push goes to, in words, and how many it reaches right now."""
    t = ctx.t
    target = Target.from_dict(push["targeting"])
    names = summary(ctx.db, target, push["station_id"])
    everything = t("compose.target.all")
    lines = [
        (t("compose.target.stations"), everything if names["all_stations"] else "、".join(names["stations"])),
        (t("compose.target.outposts"), "、".join(names["outposts"]) or everything),
        (t("compose.target.categories"), "、".join(i18n.term("grid_categories", c, ctx.lang)
                                                  for c in names["categories"]) or everything),
        (t("compose.target.sections"), "、".join(i18n.term("section_labels", c, ctx.lang)
                                                for c in names["section_labels"]) or everything),
        (t("compose.target.industries"), "、".join(i18n.term("industry_labels", c, ctx.lang)
                                                  for c in names["industry_labels"]) or everything),
    ]
    if names["picked"]:
        lines.append((t("review.picked"), str(names["picked"])))
    st.text("\n".join(f"{label}：{value}" for label, value in lines))
    groups, members = reach(ctx.db, ctx.user, target, push["station_id"])
    cols = st.columns(2)
    cols[0].metric(t("review.reach_groups"), ui.fmt_int(groups), border=True,
                   delta=None if groups == push["groups_targeted"] else groups - push["groups_targeted"])
    cols[1].metric(t("review.reach_members"), ui.fmt_int(members), border=True)
    st.caption(t("review.reach_help"))


def _history(ctx: ui.Context, push: dict) -> None:
    t = ctx.t
    for h in pushes.history(ctx.db, ctx.user, push["id"]):
        action = t(f"review.action.{h['action']}") if h["action"] in HISTORY_ACTIONS else h["action"]
        count = t("review.times", n=h["count"]) if h["count"] > 1 else ""
        line = f"{triage_queue.local_time(h['at'])} · {h['name'] or t('review.system')} · {action}{count}"
        if h["reason"]:
            line += f"：{h['reason']}"
        st.text(line)


def _photos(ctx: ui.Context, push: dict) -> None:
    if push["photo_file_ids"]:
        st.markdown(f"**{ctx.t('review.photos', n=len(push['photo_file_ids']))}**")
        cols = st.columns(4)
        for n, file_id in enumerate(push["photo_file_ids"]):
            cols[n % 4].image(pushes.photo_bytes(ctx.db, ctx.user, push["id"], file_id), width="stretch")


def _poster(ctx: ui.Context, push: dict) -> None:
    st.markdown(f"**{ctx.t('review.poster')}**")
    png = pushes.poster_png(ctx.db, push)
    if png is None:
        st.warning(ctx.t("compose.poster_unavailable"))
    else:
        st.image(png, width="stretch")


def _review_panel(ctx: ui.Context, push: dict) -> None:
    """Everything the reviewer approves — the phone preview and photos, the poster, the audience with
    its live reach, the required items, the history — and, in the same screen, the three answers:
    approve and send, approve for the author to send, return with a reason."""
    t, user = ctx.t, ctx.user
    unit = pushes.issuing_unit(ctx.db, push)
    author = ui.inert(push.get("author_name") or "")
    st.info(t("review.intro", author=author, at=triage_queue.local_time(push["submitted_at"])))
    preview, poster, checks = st.columns([1.15, 0.85, 1.1], gap="medium")
    with preview:
        st.markdown(f"**{t('review.preview')}**")
        with st.container(border=True, key=P + "phone"):
            st.text(push_message.message_text(push, issuing_unit=unit, tip_link=pushes.tip_link(push["id"])))
        _photos(ctx, push)
    with poster:
        _poster(ctx, push)
    with checks:
        st.markdown(f"**{t('review.audience')}**")
        _audience(ctx, push)
        st.markdown(f"**{t('review.checks')}**")
        found = push_message.problems(push, issuing_unit=unit)
        if found:
            for p in found:
                st.error(t(p.key, **p.params))
        else:
            st.success(t("review.checks_ok"))
        key = f"{P}{push['id']}_"
        try:
            if st.button(t("review.approve_send"), type="primary", key=key + "approve_send", disabled=bool(found),
                         help=t("review.approve_send_help"), width="stretch"):
                done = pushes.approve_and_send(ctx.db, user, push["id"], push["version"])
                _flash(t("review.approved_sent", id=push["id"], groups=ui.fmt_int(done["groups_targeted"])))
            if st.button(t("review.approve_only"), key=key + "approve", disabled=bool(found),
                         help=t("review.approve_only_help"), width="stretch"):
                pushes.review(ctx.db, user, push["id"], push["version"], approve=True)
                _flash(t("log.approved"))
            reason = st.text_input(t("log.reject_reason"), key=key + "reject_reason", max_chars=200,
                                   placeholder=t("review.reject_placeholder"))
            if st.button(t("log.reject"), key=key + "reject", width="stretch"):
                pushes.review(ctx.db, user, push["id"], push["version"], approve=False, reason=reason)
                _flash(t("log.rejected"))
        except PortalError as exc:
            ui.show_error(ctx, exc)
        with st.expander(t("review.history"), expanded=False):
            _history(ctx, push)


def _author_actions(ctx: ui.Context, push: dict) -> None:
    t, user = ctx.t, ctx.user
    key = f"{P}{push['id']}_"
    try:
        if push["state"] == "approved" and pushes.may(user, push, "send") and \
                st.button(t("log.send"), type="primary", key=key + "send"):
            pushes.send(ctx.db, user, push["id"], push["version"])
            _flash(t("compose.sent", id=push["id"]))
        if push["state"] in ("draft", "rejected"):
            ui.page_link(ctx, "compose", t("log.edit"), icon=":material/edit:", query_params={"push": push["id"]})
        if push["state"] == "pending_review" and pushes.may(user, push, "revise") and \
                st.button(t("log.revise"), key=key + "revise"):
            pushes.revise(ctx.db, user, push["id"], push["version"])
            _flash(t("log.revised", id=push["id"]))
        if pushes.may(user, push, "withdraw") and push["state"] != "draft":
            with st.expander(t("log.withdraw")):
                reason = st.text_input(t("log.withdraw_reason"), key=key + "withdraw_reason", max_chars=200)
                if st.button(t("log.withdraw"), key=key + "withdraw"):
                    pushes.withdraw(ctx.db, user, push["id"], push["version"], reason)
                    _flash(t("log.withdrawn", id=push["id"]))
    except PortalError as exc:
        ui.show_error(ctx, exc)


# --- after sending: the response (live) and posting by hand -------------------------------------


def _live_figures(ctx: ui.Context, push_id: int) -> None:
    """Delivery progress and the residents' response, refreshed by themselves."""
    t = ctx.t
    try:
        push = pushes.get_push(ctx.db, ctx.user, push_id)
    except PortalError:
        return
    counts = delivery.progress(ctx.db, ctx.user, push_id)
    if counts["total"]:
        st.progress(counts["done"] / counts["total"],
                    text=t("log.progress", done=ui.fmt_int(counts["done"]), total=ui.fmt_int(counts["total"])))
        robot = counts["by_channel"].get("wecom_webhook", {})
        if robot:
            st.caption(t("log.robot", sent=robot.get("sent", 0), queued=robot.get("queued", 0) + robot.get("sending", 0),
                         failed=robot.get("failed", 0)))
    figures = push_response.response(ctx.db, ctx.user, push_id)
    st.markdown(f"**{t('response.title')}**")
    if figures["partial"]:
        st.caption(t("response.partial"))
    c = st.columns(3)
    c[0].metric(t("response.leads"), figures["leads"], border=True)
    c[1].metric(t("response.first_lead"), "–" if figures["first_lead_minutes"] is None
                else t("response.minutes", n=figures["first_lead_minutes"]), border=True)
    c[2].metric(t("response.rating"), "–" if figures["rating"] is None
                else f"{figures['rating']:.1f} ★（{figures['ratings']}）", border=True)
    if figures["leads"]:
        ui.page_link(ctx, "triage", t("response.to_leads", n=figures["leads"]), icon=":material/fact_check:",
                     query_params={"push": push_id})
    if figures["per_hour"]:
        st.caption(t("response.per_hour"))
        st.bar_chart(pd.DataFrame(figures["per_hour"]).set_index("hour"), height=160)
        st.dataframe(pd.DataFrame([{t("response.grid"): r["grid"], t("response.leads"): r["leads"]}
                                   for r in figures["by_grid"]]), hide_index=True, key=P + "by_grid")
    if push["category"] == "appeal":
        _appeal_state(ctx, push)


_live_figures_part = ui.live(_live_figures)


def _appeal_state(ctx: ui.Context, push: dict) -> None:
    t = ctx.t
    if push["appeal_closed_at"]:
        st.caption(t("log.appeal_closed", outcome=t(f"board.outcome.{push['appeal_outcome']}"),
                     at=triage_queue.local_time(push["appeal_closed_at"])))
    else:
        ui.page_link(ctx, "appeals", t("log.appeal_active"), icon=":material/timer:")


def _owner_block(ctx: ui.Context, push: dict, owner: dict) -> None:
    """One officer's groups: a one-click "all posted", or ticks for some."""
    t, user = ctx.t, ctx.user
    key = f"{P}{push['id']}_{owner['owner_user_id']}_"
    left = owner["total"] - owner["done"]
    if left and st.button(t("log.mark_all_mine" if owner["is_me"] else "log.mark_all", n=left),
                          key=key + "all", type="primary" if owner["is_me"] else "secondary"):
        ids = [g["id"] for g in owner["groups"] if g["state"] != "confirmed"]
        n = delivery.mark_posted(ctx.db, user, ids)
        _flash(t("log.posted", n=n))
    frame = pd.DataFrame([{
        "id": g["id"], t("log.col.posted"): g["state"] == "confirmed", t("log.col.group"): g["group_name"],
        t("log.col.members"): g["member_count"],
        t("log.col.posted_by"): f"{g['confirmed_by_name'] or ''} {triage_queue.local_time(g['confirmed_at'])}".strip(),
    } for g in owner["groups"]])
    edited = st.data_editor(frame, hide_index=True, width="stretch", key=key + "editor",
                            disabled=[c for c in frame.columns if c != t("log.col.posted")],
                            column_config={"id": None})
    ticked = [int(i) for i, was, now in zip(frame["id"], frame[t("log.col.posted")], edited[t("log.col.posted")],
                                            strict=True) if now and not was]
    if ticked and st.button(t("log.mark_posted_n", n=len(ticked)), key=key + "mark"):
        n = delivery.mark_posted(ctx.db, user, ticked)
        _flash(t("log.posted", n=n))


def _checklist(ctx: ui.Context, push: dict) -> None:
    """Posting by hand: the text and poster once, then each officer's groups, the user's own first."""
    t = ctx.t
    owners = delivery.checklist_by_owner(ctx.db, ctx.user, push["id"])
    if not owners:
        return
    st.subheader(t("log.checklist"))
    unit = pushes.issuing_unit(ctx.db, push)
    text = push_message.message_text(push, issuing_unit=unit, tip_link=pushes.tip_link(push["id"]))
    cols = st.columns([1, 1, 3])
    with cols[0]:
        ui.copy_button(ctx, text, t("log.copy_text_button"), key=f"{P}{push['id']}_copy")
    png = pushes.poster_png(ctx.db, push)
    if png:
        cols[1].download_button(t("compose.poster_download"), png, file_name=f"push-{push['id']}.png",
                                mime="image/png", key=f"{P}{push['id']}_poster_dl", on_click="ignore")
    with st.expander(t("log.copy_text")):
        st.text(text)
        if png:
            st.image(png, width=320)
    done, total = sum(o["done"] for o in owners), sum(o["total"] for o in owners)
    st.progress(done / total if total else 0, text=t("log.manual_progress", done=done, total=total))
    if ctx.user.is_district:
        stations = delivery.posting_progress(ctx.db, ctx.user, push["id"])
        st.dataframe(pd.DataFrame([{t("log.col.station"): r["station_name"], t("log.col.posted"): r["done"],
                                    t("log.col.groups"): r["total"]} for r in stations]),
                     hide_index=True, key=P + "stations")
    for owner in owners:
        name = owner["owner_name"] or t("log.no_owner")
        label = t("log.owner_line", name=name, unit=owner["unit_name"] or "—", done=owner["done"], total=owner["total"])
        if owner["is_me"]:
            with st.container(border=True):
                st.markdown(f"**{t('log.my_groups')}** · {ui.inert(label)}")
                _owner_block(ctx, push, owner)
        else:
            with st.expander(label + (" ✓" if owner["done"] == owner["total"] else "")):
                _owner_block(ctx, push, owner)


def _district_view(ctx: ui.Context) -> None:
    t = ctx.t
    with st.expander(t("response.ranking")):
        rows = push_response.appeal_ranking(ctx.db, ctx.user)
        st.dataframe(pd.DataFrame([{
            t("log.col.id"): r["id"], t("log.col.title"): r["title"], t("log.col.station"): r["station_name"] or "",
            t("response.first_lead"): r["first_lead_minutes"], t("response.leads"): r["leads"],
        } for r in rows]), hide_index=True, width="stretch", key=P + "ranking")
        ratings = push_response.ratings_by_category(ctx.db, ctx.user)
        if ratings:
            st.caption(t("response.by_category"))
            st.dataframe(pd.DataFrame([{
                t("log.col.category"): i18n.term("push_categories", r["category"], ctx.lang),
                t("response.rating"): r["rating"], t("response.ratings"): r["ratings"]} for r in ratings]),
                hide_index=True, key=P + "ratings")


def _detail(ctx: ui.Context, push_id: int) -> None:
    t = ctx.t
    try:
        push = pushes.get_push(ctx.db, ctx.user, push_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    push["author_name"] = pushes.author_name(ctx.db, push)
    kind = f" · {i18n.term('appeal_kinds', push['appeal_kind'], ctx.lang)}" if push["appeal_kind"] else ""
    st.subheader(f"#{push['id']} {push['title'] or t('compose.untitled')}", anchor=False)
    line = [i18n.term("push_categories", push["category"], ctx.lang) + kind, t("pushes.state." + push["state"]),
            pushes.issuing_unit(ctx.db, push), t("review.by", name=push["author_name"])]
    if push["sent_at"]:
        line.append(t("log.sent_at", at=triage_queue.local_time(push["sent_at"])))
    st.caption(" · ".join(ui.inert(x) for x in line))
    if push["state_reason"]:
        st.warning(t("log.state_reason", reason=ui.inert(push["state_reason"])))
    if push["follow_up_of"]:
        st.caption(t("log.follow_up_of", id=push["follow_up_of"]))
    if push["state"] == "pending_review" and pushes.may(ctx.user, push, "approve"):
        _review_panel(ctx, push)
        return
    if push["state"] == "pending_review":
        names = "、".join(pushes.reviewer_names(ctx.db, push)) or "—"
        st.info(t("compose.waiting_review", reviewers=ui.inert(names)))
    _author_actions(ctx, push)
    if push["state"] in ("sending", "sent"):
        _live_figures_part(push["id"])
        _checklist(ctx, push)


def render() -> None:
    ctx = ui.staff_page()
    t, user = ctx.t, ctx.user
    st.title(t("log.title"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    queue = pushes.review_queue(ctx.db, user)
    if queue:
        with st.container(border=True):
            st.markdown(f"**{t('log.review_queue', n=len(queue))}**")
            for p in queue:
                if st.button(t("log.review_one", id=p["id"], title=p["title"] or t("compose.untitled"),
                               author=p["author_name"]), key=f"{P}queue_{p['id']}", icon=":material/rate_review:"):
                    _open(p["id"])
                    st.rerun()
    # The push in hand first (the one asked for, else the first waiting for this user's review);
    # the list of all pushes below it, to pick another.
    push_id = ui.query_id("push") or (queue[0]["id"] if queue else None)
    if push_id is not None:
        _detail(ctx, push_id)
        st.divider()
    st.subheader(t("log.all"), anchor=False)
    states = st.multiselect(t("log.state_filter"), list(pushes.STATES), key=P + "states",
                            format_func=lambda s: t("pushes.state." + s), placeholder=t("compose.target.all"))
    rows = pushes.list_pushes(ctx.db, user, states=states or None, limit=100)
    if not rows:
        st.info(t("log.none"))
        return
    if push_id is None:
        st.caption(t("log.pick_hint"))
    picked = _table(ctx, rows)
    if picked is not None:
        _open(picked)
        st.rerun()
    st.divider()
    _district_view(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
