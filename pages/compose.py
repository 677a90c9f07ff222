"""推送编辑: compose a standardized push — template, fields, photos, audience, preview — and
submit it for review or send it. Every change is saved as a draft as it is typed.

The push being edited is named by the url (``/compose?push=174``), never by a widget whose
label the user can change: Streamlit sends a selectbox's *label* back, so a picker labelled
with the title a clerk is typing would stop matching after the title changed and drop the
editor (issue #10). Every widget of the editor is keyed by the push's id; a reload reopens
the same draft with everything typed.
"""

from __future__ import annotations

import streamlit as st

from lib.core import files, taxonomy, units
from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.pushes import library, push_message, pushes
from lib.pushes.push_templates import fields_for
from lib.pushes.targeting import Target, reach
from lib.tips import triage_queue
from lib.ui import ui

P = "compose_"


def _open(push_id: int | None) -> None:
    """Show this push in the editor (None: the list of drafts), through the url."""
    if push_id is None:
        st.query_params.pop("push", None)
    else:
        st.query_params["push"] = str(push_id)


def _label(ctx: ui.Context, push: dict) -> str:
    kind = f" · {i18n.term('appeal_kinds', push['appeal_kind'], ctx.lang)}" if push["appeal_kind"] else ""
    return i18n.term("push_categories", push["category"], ctx.lang) + kind


def _my_drafts(ctx: ui.Context) -> None:
    """Drafts and returned pushes the user may carry on with, each opened by a button keyed by its id."""
    t, user = ctx.t, ctx.user
    rows = [p for p in pushes.list_pushes(ctx.db, user, states=["draft", "rejected"], limit=50)
            if pushes.may(user, p, "withdraw" if p["state"] == "draft" else "revise")]
    st.subheader(t("compose.my_drafts"))
    if not rows:
        st.caption(t("compose.no_drafts"))
        return
    for p in rows:
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"**{ui.inert(p['title']) or t('compose.untitled')}**")
            note = t("compose.draft_line", id=p["id"], kind=_label(ctx, p), author=ui.inert(p["author_name"]),
                     at=triage_queue.local_time(p["updated_at"]))
            if p["state"] == "rejected":
                note += " · " + t("compose.returned_line", reason=ui.inert(p["state_reason"] or ""))
            left.caption(note)
            if right.button(t("compose.open" if p["state"] == "draft" else "compose.open_returned"),
                            key=f"{P}open_{p['id']}", type="primary" if p["state"] == "rejected" else "secondary"):
                _open(p["id"])
                st.rerun()


def _new_draft(ctx: ui.Context) -> None:
    """Start a draft from the category's template, the content library or a past push."""
    t, user = ctx.t, ctx.user
    st.subheader(t("compose.new"))
    cols = st.columns(3)
    category = cols[0].selectbox(t("compose.category"), taxonomy.codes("push_categories"), key=P + "new_category",
                                 format_func=lambda c: i18n.term("push_categories", c, ctx.lang))
    appeal_kind = None
    if category == "appeal":
        appeal_kind = cols[1].selectbox(t("compose.appeal_kind"), taxonomy.codes("appeal_kinds"), key=P + "new_kind",
                                        format_func=lambda c: i18n.term("appeal_kinds", c, ctx.lang))
    district_wide = cols[2].checkbox(t("compose.district_wide"), key=P + "district_wide") if user.is_district else False
    items = {i["id"]: i["title"] for i in library.search_items(ctx.db, user, category=category, limit=100)}
    past = {p["id"]: f"#{p['id']} {p['title']}" for p in pushes.list_pushes(ctx.db, user, states=["sent"],
                                                                             category=category, limit=50)}
    cols = st.columns(2)
    item_id = cols[0].selectbox(t("compose.from_library"), [None] + list(items), key=P + "from_library",
                                format_func=lambda i: t("compose.template_only") if i is None else items.get(i, f"#{i}"))
    past_id = cols[1].selectbox(t("compose.from_past"), [None] + list(past), key=P + "from_past",
                                format_func=lambda i: t("compose.template_only") if i is None else past.get(i, f"#{i}"))
    if st.button(t("compose.start"), type="primary", key=P + "start"):
        try:
            push = pushes.new_draft(ctx.db, user, category, appeal_kind, district_wide=district_wide,
                                    from_content_id=item_id, from_push_id=past_id)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        _open(push["id"])
        st.rerun()


def _target_widgets(ctx: ui.Context, push: dict) -> Target:
    t, user = ctx.t, ctx.user
    saved = Target.from_dict(push["targeting"])
    key = f"{P}{push['id']}_"
    cols = st.columns(2)
    target = Target()
    if push["station_id"] is None:
        stations = {s["id"]: s["name"] for s in units.list_stations(ctx.db, user)}
        target.station_ids = cols[0].multiselect(t("compose.target.stations"), list(stations), saved.station_ids,
                                                 format_func=stations.get, key=key + "stations",
                                                 placeholder=t("compose.target.all"))
    else:
        outposts = {o["id"]: o["name"] for o in units.list_outposts(ctx.db, user, push["station_id"])}
        target.outpost_ids = cols[0].multiselect(t("compose.target.outposts"), list(outposts), saved.outpost_ids,
                                                 format_func=outposts.get, key=key + "outposts",
                                                 placeholder=t("compose.target.all"))
    target.categories = cols[1].multiselect(
        t("compose.target.categories"), taxonomy.codes("grid_categories"), saved.categories, key=key + "categories",
        format_func=lambda c: i18n.term("grid_categories", c, ctx.lang), placeholder=t("compose.target.all"))
    target.section_labels = cols[0].multiselect(
        t("compose.target.sections"), taxonomy.codes("section_labels"), saved.section_labels, key=key + "sections",
        format_func=lambda c: i18n.term("section_labels", c, ctx.lang), placeholder=t("compose.target.all"))
    target.industry_labels = cols[1].multiselect(
        t("compose.target.industries"), taxonomy.codes("industry_labels"), saved.industry_labels,
        key=key + "industries", format_func=lambda c: i18n.term("industry_labels", c, ctx.lang),
        placeholder=t("compose.target.all"))
    return target


def _editor(ctx: ui.Context, push: dict) -> dict:
    """The draft's fields, each keyed by the push's id; what changed is saved at once (autosave)."""
    t = ctx.t
    key = f"{P}{push['id']}_"
    title = st.text_input(t("compose.title"), push["title"], max_chars=push_message.TITLE_MAX, key=key + "title")
    body = st.text_area(t("compose.body"), push["body"], max_chars=push_message.BODY_MAX, height=160, key=key + "body")
    values = {}
    specs = fields_for(push["category"], push["appeal_kind"])
    cols = st.columns(2)
    for n, f in enumerate(specs):
        label = f.label(ctx.lang) + (" *" if f.required else "")
        values[f.code] = cols[n % 2].text_input(label, push["fields"].get(f.code, ""), max_chars=f.max_len,
                                                key=key + "field_" + f.code)
    st.markdown(f"**{t('compose.audience')}**")
    target = _target_widgets(ctx, push)
    groups, members = reach(ctx.db, ctx.user, target, push["station_id"])
    st.caption(t("compose.reach", groups=ui.fmt_int(groups), members=ui.fmt_int(members)))
    changed = (title != push["title"] or body != push["body"] or values != {k: push["fields"].get(k, "") for k in values}
               or target.to_dict() != Target.from_dict(push["targeting"]).to_dict()
               or groups != push["groups_targeted"])
    if changed:
        try:
            push = pushes.save_draft(ctx.db, ctx.user, push["id"], push["version"], title=title, body=body,
                                     fields=values, target=target)
            st.caption(t("compose.autosaved"))
        except PortalError as exc:
            ui.show_error(ctx, exc)
    return push


def _photos(ctx: ui.Context, push: dict) -> dict:
    t = ctx.t
    st.markdown(f"**{t('compose.photos')}**" + (" *" if push["category"] == "appeal" else ""))
    if push["photo_file_ids"]:
        cols = st.columns(4)
        for n, file_id in enumerate(push["photo_file_ids"]):
            data, _ = files.read_file(ctx.db, ctx.user, file_id)
            cols[n].image(data, width=140)
            if cols[n].button(t("compose.remove_photo"), key=f"{P}{push['id']}_rm_{file_id}"):
                push = pushes.remove_photo(ctx.db, ctx.user, push["id"], file_id)
                st.rerun()
    if len(push["photo_file_ids"]) < pushes.MAX_PHOTOS:
        upload = st.file_uploader(t("compose.add_photo"), type=["jpg", "jpeg", "png", "webp"],
                                  key=f"{P}{push['id']}_upload_{len(push['photo_file_ids'])}")
        if upload is not None:
            try:
                pushes.add_photo(ctx.db, ctx.user, push["id"], upload.getvalue())
                st.rerun()
            except PortalError as exc:
                ui.show_error(ctx, exc)
    return push


def _preview(ctx: ui.Context, push: dict) -> None:
    t = ctx.t
    unit = pushes.issuing_unit(ctx.db, push)
    st.markdown(f"**{t('compose.preview')}**")
    with st.container(border=True):
        st.caption(t("compose.preview_help"))
        st.text(push_message.message_text(push, issuing_unit=unit, tip_link=pushes.tip_link(push["id"])))
    if st.toggle(t("compose.poster"), key=f"{P}{push['id']}_poster"):
        png = pushes.poster_png(ctx.db, push)
        if png is None:
            st.warning(t("compose.poster_unavailable"))
        else:
            st.image(png, width=360)
            st.download_button(t("compose.poster_download"), png, file_name=f"push-{push['id']}.png",
                               mime="image/png", key=f"{P}{push['id']}_poster_dl", on_click="ignore")


def _done(message: str) -> None:
    st.session_state[P + "flash"] = message
    st.rerun()


def _actions(ctx: ui.Context, push: dict) -> None:
    t, user = ctx.t, ctx.user
    key = f"{P}{push['id']}_"
    found = push_message.problems(push, issuing_unit=pushes.issuing_unit(ctx.db, push))
    if found:
        st.warning(t("compose.problems"))
        for p in found:
            st.caption("· " + t(p.key, **p.params))
    needs_review = pushes.needs_approval(push["category"])
    st.caption(t("compose.needs_review" if needs_review else "compose.direct"))
    cols = st.columns(3)
    try:
        if needs_review:
            if cols[0].button(t("compose.submit"), type="primary", disabled=bool(found), key=key + "submit"):
                done = pushes.submit(ctx.db, user, push["id"], push["version"])
                names = pushes.reviewer_names(ctx.db, done)
                _done(t("compose.submitted", id=push["id"], reviewers=ui.inert("、".join(names)) or "—"))
        else:
            if cols[0].button(t("compose.send_now"), type="primary", disabled=bool(found), key=key + "send"):
                pushes.send(ctx.db, user, push["id"], push["version"])
                _done(t("compose.sent", id=push["id"]))
            when = cols[1].text_input(t("compose.schedule_at"), placeholder="2026-12-01 08:30", key=key + "when")
            if cols[1].button(t("compose.schedule"), disabled=bool(found), key=key + "schedule"):
                try:
                    at = pushes.parse_local_time(when)
                except ValueError:
                    st.error(t("pushes.error.schedule_format"))
                    return
                pushes.send(ctx.db, user, push["id"], push["version"], when=at)
                _done(t("compose.scheduled", id=push["id"], when=ui.inert(when)))
        reason = cols[2].text_input(t("compose.discard_reason"), key=key + "discard_reason", max_chars=100)
        if cols[2].button(t("compose.discard"), key=key + "discard"):
            pushes.withdraw(ctx.db, user, push["id"], push["version"], reason)
            _open(None)
            _done(t("compose.discarded", id=push["id"]))
    except PortalError as exc:
        ui.show_error(ctx, exc)


def _not_editable(ctx: ui.Context, push: dict) -> None:
    """A push that left the draft state: where it stands, and where to follow it."""
    t = ctx.t
    if push["state"] == "rejected":
        st.warning(t("compose.returned", reason=ui.inert(push["state_reason"] or "")))
        if pushes.may(ctx.user, push, "revise") and st.button(t("compose.revise"), type="primary",
                                                              key=f"{P}{push['id']}_revise"):
            try:
                pushes.revise(ctx.db, ctx.user, push["id"], push["version"])
            except PortalError as exc:
                ui.show_error(ctx, exc)
                return
            st.rerun()
        return
    if push["state"] == "pending_review":
        names = "、".join(pushes.reviewer_names(ctx.db, push)) or "—"
        st.info(t("compose.waiting_review", reviewers=ui.inert(names)))
    else:
        st.info(t("compose.state_now", state=t("pushes.state." + push["state"])))
    ui.page_link(ctx, "pushes", t("compose.to_log"), icon=":material/list_alt:", query_params={"push": push["id"]})


def _edit(ctx: ui.Context, push_id: int) -> None:
    t = ctx.t
    if st.button(t("compose.back"), key=P + "back", icon=":material/arrow_back:"):
        _open(None)
        st.rerun()
    try:
        push = pushes.get_push(ctx.db, ctx.user, push_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    st.subheader(f"{_label(ctx, push)}（#{push['id']}）")
    if push["state"] != "draft":
        st.markdown(f"**{ui.inert(push['title'])}**")
        _not_editable(ctx, push)
        return
    if not pushes.may(ctx.user, push, "withdraw"):
        st.info(t("compose.not_yours"))
        return
    if push["state_reason"] and push["reviewed_by"]:
        # Returned by its reviewer: the reason stays in view while the author mends it.
        st.warning(t("compose.returned", reason=ui.inert(push["state_reason"])))
    left, right = st.columns([3, 2])
    with left:
        push = _editor(ctx, push)
        push = _photos(ctx, push)
    with right:
        _preview(ctx, push)
    _actions(ctx, push)


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("compose.title_page"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    push_id = ui.query_id("push")
    if push_id is not None:
        _edit(ctx, push_id)
        return
    _new_draft(ctx)
    st.divider()
    _my_drafts(ctx)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
