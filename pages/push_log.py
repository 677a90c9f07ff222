"""推送记录: every push of one's scope with its state, reach and delivery progress; review
for admins; the manual posting checklist with copy-ready text and the poster."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import delivery, i18n, push_response, pushes, ui
from lib.errors import PortalError

P = "pushlog_"


def _table(ctx: ui.Context, rows: list[dict]) -> None:
    t = ctx.t
    frame = pd.DataFrame([{
        t("log.col.id"): r["id"], t("log.col.title"): r["title"],
        t("log.col.category"): i18n.term("push_categories", r["category"], ctx.lang),
        t("log.col.state"): t("pushes.state." + r["state"]),
        t("log.col.station"): r["station_name"] or t("log.district"), t("log.col.author"): r["author_name"],
        t("log.col.reach"): f"{r['groups_targeted']:,} / {r['members_targeted']:,}",
        t("log.col.updated"): (r["updated_at"] or "").replace("T", " ")[:16],
    } for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch", key=P + "table")


def _review(ctx: ui.Context, push: dict) -> None:
    t, user = ctx.t, ctx.user
    cols = st.columns([1, 2, 1])
    try:
        if pushes.may(user, push, "approve") and cols[0].button(t("log.approve"), type="primary", key=P + "approve"):
            pushes.review(ctx.db, user, push["id"], push["version"], approve=True)
            st.session_state[P + "flash"] = t("log.approved")
            st.rerun()
        if pushes.may(user, push, "reject"):
            reason = cols[1].text_input(t("log.reject_reason"), key=P + "reject_reason", max_chars=200)
            if cols[2].button(t("log.reject"), key=P + "reject", disabled=not reason.strip()):
                pushes.review(ctx.db, user, push["id"], push["version"], approve=False, reason=reason)
                st.session_state[P + "flash"] = t("log.rejected")
                st.rerun()
        if pushes.may(user, push, "send") and push["state"] == "approved" and \
                st.button(t("log.send"), type="primary", key=P + "send"):
            pushes.send(ctx.db, user, push["id"], push["version"])
            st.rerun()
        if pushes.may(user, push, "revise") and st.button(t("log.revise"), key=P + "revise"):
            pushes.revise(ctx.db, user, push["id"], push["version"])
            st.rerun()
        if pushes.may(user, push, "withdraw") and push["state"] != "draft":
            reason = st.text_input(t("log.withdraw_reason"), key=P + "withdraw_reason", max_chars=200)
            if st.button(t("log.withdraw"), key=P + "withdraw", disabled=not reason.strip()):
                pushes.withdraw(ctx.db, user, push["id"], push["version"], reason)
                st.rerun()
    except PortalError as exc:
        ui.show_error(ctx, exc)


def _delivery(ctx: ui.Context, push: dict) -> None:
    t, user = ctx.t, ctx.user
    counts = delivery.progress(ctx.db, user, push["id"])
    if not counts["total"]:
        return
    st.progress(counts["done"] / counts["total"], text=t("log.progress", done=counts["done"], total=counts["total"]))
    robot = counts["by_channel"].get("wecom_webhook", {})
    if robot:
        st.caption(t("log.robot", sent=robot.get("sent", 0), queued=robot.get("queued", 0) + robot.get("sending", 0),
                     failed=robot.get("failed", 0)))
    unit = pushes.issuing_unit(ctx.db, push)
    with st.expander(t("log.copy_text")):
        st.code(pushes.message_text(push, issuing_unit=unit, tip_link=pushes.tip_link(push["id"])), language=None)
        png = pushes.poster_png(ctx.db, push) if st.toggle(t("compose.poster"), key=P + "poster") else None
        if png:
            st.image(png, width=320)
            st.download_button(t("compose.poster_download"), png, file_name=f"push-{push['id']}.png",
                               mime="image/png", key=P + "poster_dl", on_click="ignore")
    st.markdown(f"**{t('log.checklist')}**")
    only_open = st.checkbox(t("log.only_open"), value=True, key=P + "only_open")
    rows = delivery.checklist(ctx.db, user, push["id"], only_open=only_open)
    if not rows:
        return
    frame = pd.DataFrame([{
        "id": r["id"], t("log.col.posted"): r["state"] == "confirmed", t("log.col.group"): r["group_name"],
        t("log.col.owner"): r["owner_name"] or "", t("log.col.members"): r["member_count"],
        t("log.col.posted_by"): f"{r['confirmed_by_name'] or ''} {(r['confirmed_at'] or '')[:16].replace('T', ' ')}",
    } for r in rows])
    edited = st.data_editor(frame, hide_index=True, width="stretch", key=P + f"checklist_{push['id']}",
                            disabled=[c for c in frame.columns if c != t("log.col.posted")],
                            column_config={"id": None})
    ticked = [int(i) for i, was, now in zip(frame["id"], frame[t("log.col.posted")], edited[t("log.col.posted")],
                                            strict=True) if now and not was]
    if st.button(t("log.mark_posted"), disabled=not ticked, key=P + "mark"):
        try:
            n = delivery.mark_posted(ctx.db, user, ticked)
            st.session_state[P + "flash"] = t("log.posted", n=n)
            st.rerun()
        except PortalError as exc:
            ui.show_error(ctx, exc)


def _response(ctx: ui.Context, push: dict) -> None:
    t = ctx.t
    if push["state"] not in ("sending", "sent"):
        return
    figures = push_response.response(ctx.db, ctx.user, push["id"])
    st.markdown(f"**{t('response.title')}**")
    c = st.columns(3)
    c[0].metric(t("response.leads"), figures["leads"])
    c[1].metric(t("response.first_lead"), "–" if figures["first_lead_minutes"] is None
                else t("response.minutes", n=figures["first_lead_minutes"]))
    c[2].metric(t("response.rating"), "–" if figures["rating"] is None
                else f"{figures['rating']:.1f} ★（{figures['ratings']}）")
    if figures["per_hour"]:
        st.caption(t("response.per_hour"))
        st.bar_chart(pd.DataFrame(figures["per_hour"]).set_index("hour"), height=160)
        st.dataframe(pd.DataFrame([{t("response.grid"): r["grid"], t("response.leads"): r["leads"]}
                                   for r in figures["by_grid"]]), hide_index=True, key=P + "by_grid")


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


def render() -> None:
    ctx = ui.staff_page()
    t, user = ctx.t, ctx.user
    st.title(t("log.title"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    queue = pushes.review_queue(ctx.db, user)
    if queue:
        st.info(t("log.review_queue", n=len(queue)))
    states = st.multiselect(t("log.state_filter"), list(pushes.STATES), key=P + "states",
                            format_func=lambda s: t("pushes.state." + s), placeholder=t("compose.target.all"))
    rows = pushes.list_pushes(ctx.db, user, states=states or None, limit=100)
    if not rows:
        st.info(t("log.none"))
        return
    _table(ctx, rows)
    ids = [r["id"] for r in rows]
    default = queue[0]["id"] if queue and queue[0]["id"] in ids else ids[0]
    push_id = st.selectbox(t("log.pick"), ids, index=ids.index(default), key=P + "pick",
                           format_func=lambda i: next(f"#{r['id']} {r['title']}（{t('pushes.state.' + r['state'])}）"
                                                      for r in rows if r["id"] == i))
    push = pushes.get_push(ctx.db, user, push_id)
    st.subheader(f"#{push['id']} {push['title']}")
    st.caption(t("pushes.state." + push["state"]) + (" · " + t("log.state_reason", reason=push["state_reason"])
                                                     if push["state_reason"] else ""))
    _review(ctx, push)
    _response(ctx, push)
    _delivery(ctx, push)
    _district_view(ctx)
