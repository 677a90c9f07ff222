"""推送编辑: compose a standardized push — template, fields, photos, audience, preview — and
submit it for review or send it. Every change is saved as a draft as it is typed."""

from __future__ import annotations

import streamlit as st

from lib import i18n, library, pushes, taxonomy, ui, units
from lib.errors import PortalError
from lib.push_templates import fields_for
from lib.targeting import Target, reach

P = "compose_"


def _start(ctx: ui.Context) -> int | None:
    """Pick a draft to continue, or start a new one."""
    t, user = ctx.t, ctx.user
    drafts = pushes.list_pushes(ctx.db, user, states=["draft"], limit=30)
    drafts = [d for d in drafts if pushes.may(user, d, "withdraw")]
    options = [None] + [d["id"] for d in drafts]
    labels = {d["id"]: f"#{d['id']} {d['title'] or t('compose.untitled')}（{i18n.term('push_categories', d['category'], ctx.lang)}）"
              for d in drafts}
    # A selection asked for by the previous run (a new draft, or none after sending) is
    # applied before the widget exists: Streamlit refuses changes to a drawn widget.
    wanted = st.session_state.pop(P + "select", "keep")
    if wanted != "keep" or st.session_state.get(P + "pick") not in options:
        st.session_state[P + "pick"] = wanted if wanted in options else None
    chosen = st.selectbox(t("compose.pick"), options, key=P + "pick",
                          format_func=lambda i: t("compose.new") if i is None else labels[i])
    if chosen is not None:
        return chosen
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
                                format_func=lambda i: t("compose.template_only") if i is None else items[i])
    past_id = cols[1].selectbox(t("compose.from_past"), [None] + list(past), key=P + "from_past",
                                format_func=lambda i: t("compose.template_only") if i is None else past[i])
    if st.button(t("compose.start"), type="primary", key=P + "start"):
        try:
            push = pushes.new_draft(ctx.db, user, category, appeal_kind, district_wide=district_wide,
                                    from_content_id=item_id, from_push_id=past_id)
        except PortalError as exc:
            ui.show_error(ctx, exc)
            return
        st.session_state[P + "select"] = push["id"]
        st.rerun()
    return None


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
    """The draft's fields; what changed is saved at once (autosave)."""
    t = ctx.t
    key = f"{P}{push['id']}_"
    title = st.text_input(t("compose.title"), push["title"], max_chars=pushes.TITLE_MAX, key=key + "title")
    body = st.text_area(t("compose.body"), push["body"], max_chars=pushes.BODY_MAX, height=160, key=key + "body")
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
    from lib import files

    st.markdown(f"**{t('compose.photos')}**" + (" *" if push["category"] == "appeal" else ""))
    if push["photo_file_ids"]:
        cols = st.columns(4)
        for n, file_id in enumerate(push["photo_file_ids"]):
            data, _ = files.read_file(ctx.db, file_id)
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
        st.text(pushes.message_text(push, issuing_unit=unit, tip_link=pushes.tip_link(push["id"])))
    if st.toggle(t("compose.poster"), key=f"{P}{push['id']}_poster"):
        png = pushes.poster_png(ctx.db, push)
        if png is None:
            st.warning(t("compose.poster_unavailable"))
        else:
            st.image(png, width=360)
            st.download_button(t("compose.poster_download"), png, file_name=f"push-{push['id']}.png",
                               mime="image/png", key=f"{P}{push['id']}_poster_dl", on_click="ignore")


def _actions(ctx: ui.Context, push: dict) -> None:
    t, user = ctx.t, ctx.user
    found = pushes.problems(push, issuing_unit=pushes.issuing_unit(ctx.db, push))
    if found:
        st.warning(t("compose.problems"))
        for p in found:
            st.caption("· " + t(p.key, **p.params))
    needs_review = pushes.needs_approval(push["category"])
    st.caption(t("compose.needs_review" if needs_review else "compose.direct"))
    cols = st.columns(3)
    try:
        if needs_review:
            if cols[0].button(t("compose.submit"), type="primary", disabled=bool(found), key=P + "submit"):
                pushes.submit(ctx.db, user, push["id"], push["version"])
                st.session_state[P + "select"] = None
                st.session_state[P + "flash"] = t("compose.submitted", id=push["id"])
                st.rerun()
        else:
            if cols[0].button(t("compose.send_now"), type="primary", disabled=bool(found), key=P + "send"):
                pushes.send(ctx.db, user, push["id"], push["version"])
                st.session_state[P + "select"] = None
                st.session_state[P + "flash"] = t("compose.sent", id=push["id"])
                st.rerun()
            when = cols[1].text_input(t("compose.schedule_at"), placeholder="2026-12-01 08:30", key=P + "when")
            if cols[1].button(t("compose.schedule"), disabled=bool(found) or not when, key=P + "schedule"):
                try:
                    at = pushes.parse_local_time(when)
                except ValueError:
                    st.error(t("pushes.error.schedule_format"))
                    return
                pushes.send(ctx.db, user, push["id"], push["version"], when=at)
                st.session_state[P + "select"] = None
                st.session_state[P + "flash"] = t("compose.scheduled", id=push["id"], when=when)
                st.rerun()
        reason = cols[2].text_input(t("compose.discard_reason"), key=P + "discard_reason", max_chars=100)
        if cols[2].button(t("compose.discard"), key=P + "discard", disabled=not reason.strip()):
            pushes.withdraw(ctx.db, user, push["id"], push["version"], reason)
            st.session_state[P + "select"] = None
            st.rerun()
    except PortalError as exc:
        ui.show_error(ctx, exc)


def render() -> None:
    ctx = ui.staff_page()
    st.title(ctx.t("compose.title_page"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    push_id = _start(ctx)
    if push_id is None:
        return
    try:
        push = pushes.get_push(ctx.db, ctx.user, push_id)
    except PortalError as exc:
        ui.show_error(ctx, exc)
        return
    st.subheader(f"{i18n.term('push_categories', push['category'], ctx.lang)}"
                 + (f" · {i18n.term('appeal_kinds', push['appeal_kind'], ctx.lang)}" if push["appeal_kind"] else "")
                 + f"（#{push['id']}）")
    left, right = st.columns([3, 2])
    with left:
        push = _editor(ctx, push)
        push = _photos(ctx, push)
    with right:
        _preview(ctx, push)
    _actions(ctx, push)
