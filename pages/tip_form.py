"""Public tip form (url path ``tip``): residents and grid volunteers, on a phone, no login.

One form, one submit. ``?push=ID&grid=ID`` (the QR code of a push) links the tip to a sent
push, preselects the grid and asks for a rating. The submit button only marks the form as
pending; the next run (which has app.py's context and database) hands everything to
:func:`lib.intake_guard.submit_tip` before drawing the page, so refusals show under their
fields and the form keeps what was typed. Rate limits key on ``st.context.ip_address``;
behind a proxy set ``FORWARDED_ALLOW_IPS`` (see lib/intake_guard.py).
"""

from __future__ import annotations

import streamlit as st

from lib import files, i18n, intake_guard, public_grids, retention, tips, ui
from lib.errors import ValidationError
from pages import tip_tracker

WHEN_MAX = 40
# Room for the "when" line that is appended to the description (see _description).
DESCRIPTION_INPUT_MAX = tips.DESCRIPTION_MAX - WHEN_MAX - 40
FIELDS_BY_PLACE = {"location_text": "where", "grid_id": "where", "lat": "where", "happened_at": "when"}

# Fixed CSS only (no user text): the honeypot is moved off-screen; controls are made big
# enough for a thumb.
CSS = """
<style>
.st-key-tip_website { position: absolute !important; left: -10000px !important; top: auto !important;
  width: 1px !important; height: 1px !important; overflow: hidden !important; }
.st-key-tip_kind label p { font-size: 1.05rem; }
.st-key-tip_kind div[role="radiogroup"] > label { padding: 0.35rem 0; }
.st-key-tip_submit button { min-height: 3rem; }
.st-key-tip_rating { zoom: 1.6; }
.st-key-tip_consent label p, .st-key-tip_anonymous label p { font-size: 1.05rem; }
</style>
"""


def _mark_pending() -> None:
    st.session_state["tip_pending"] = True


def _again() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("tip_")]:
        del st.session_state[key]


def _description(text: str, when: str) -> str:
    """The description with the free-text "when" appended (staff read it in Chinese). A text too
    short on its own stays as it is, so that the "when" line never lets it pass the minimum."""
    when, text = (when or "").strip()[:WHEN_MAX], text or ""
    if not when or len(text.strip()) < getattr(tips, "DESCRIPTION_MIN", 5):
        return text
    return f"{text}\n\n{i18n.t('tip.when_stored', 'zh', when=when)}"


def _process(ctx: ui.Context, push_id: int | None, client_key: str) -> None:
    """Hand the submitted form to lib; leave the outcome in session state for this run."""
    state = st.session_state
    feedback = state.get("tip_rating")
    tip = tips.TipInput(
        kind=state.get("tip_kind") or "",
        description=_description(state.get("tip_description", ""), state.get("tip_when", "")),
        location_text=state.get("tip_place", ""),
        grid_id=state.get("tip_grid"),
        is_anonymous=bool(state.get("tip_anonymous", True)),
        contact_name=state.get("tip_name", ""),
        contact_phone=state.get("tip_phone", ""),
        push_id=push_id,
        rating=feedback + 1 if isinstance(feedback, int) and push_id else None,
        channel="qr" if push_id else "web",
        photos=tuple(f.getvalue() for f in state.get("tip_photos") or []),
        consent=bool(state.get("tip_consent")),
    )
    seed, answer = state.pop("tip_seed", None), state.get("tip_challenge_answer")  # one answer per question
    state["tip_challenge_answer"] = ""
    state.pop("tip_errors", None)
    state.pop("tip_notice", None)
    try:
        made = intake_guard.submit_tip(ctx.db, tip, client_key=client_key, honeypot=state.get("tip_website", ""),
                                       challenge_seed=seed, challenge_answer=answer)
    except intake_guard.RateLimited as exc:
        state["tip_notice"] = ctx.t(exc.key, **exc.params)
    except tips.TipErrors as exc:
        state["tip_errors"] = {FIELDS_BY_PLACE.get(f, f): ctx.t(k, **p) for f, (k, p) in exc.errors.items()}
    except ValidationError as exc:  # a photo that is not an image, too big …
        state["tip_errors"] = {"photos": ctx.t("tip.photo_refused", reason=i18n.error_text(exc, ctx.lang))}
    else:
        state["tip_done"] = made["tracking_code"]


def _field_error(errors: dict, field: str) -> None:
    if field in errors:
        st.error(errors[field], icon=":material/error:")


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _grid_options(_db, version: str, lang: str) -> dict[int, str]:
    return {g["id"]: g["label"] for g in public_grids.grid_options(_db, lang)}


def _show_done(ctx: ui.Context, code: str) -> None:
    shown = tips.format_code(code)
    st.success(ctx.t("tip.done_title"), icon=":material/check_circle:")
    st.caption(ctx.t("tip.done_code"))
    st.markdown(f"# `{shown}`")  # our own alphabet only: nothing a user typed
    st.info(ctx.t("tip.done_save"), icon=":material/photo_camera:")
    st.page_link(st.Page(tip_tracker.render, url_path="track"), label=ctx.t("tip.done_track"),
                 icon=":material/search:", query_params={"code": shown})
    st.button(ctx.t("tip.done_again"), key="tip_again", on_click=_again)
    st.caption(ctx.t("tip.emergency"))


def render() -> None:
    ctx = ui.public_page()
    st.html(CSS)
    state = st.session_state
    push_id = public_grids.parse_id(st.query_params.get("push"))
    push_title = public_grids.sent_push_title(ctx.db, push_id)
    if push_title is None:
        push_id = None  # unknown, unsent or junk: an ordinary tip
    grid_param = public_grids.parse_id(st.query_params.get("grid"))
    client_key = intake_guard.client_key(st.context.ip_address, st.session_state)
    if state.pop("tip_pending", False):
        _process(ctx, push_id, client_key)

    st.title(ctx.t("tip.title"))
    if state.get("tip_done"):
        _show_done(ctx, state["tip_done"])
        return
    st.caption(ctx.t("tip.intro"))
    if push_title:
        with st.container(border=True):
            st.caption(ctx.t("tip.answering"))
            st.text(push_title)
    verdict = intake_guard.check(ctx.db, client_key=client_key, contact_phone=None)
    errors: dict = state.get("tip_errors") or {}
    if state.get("tip_notice"):
        st.warning(state["tip_notice"], icon=":material/hourglass_top:")
    elif not verdict.allowed:
        st.warning(ctx.t("guard.too_many_tips", minutes=max(1, -(-verdict.retry_after_s // 60))),
                   icon=":material/hourglass_top:")
    if errors:
        st.error(ctx.t("tip.fix_fields"), icon=":material/error:")

    options = _grid_options(ctx.db, public_grids.grids_version(ctx.db), ctx.lang)
    preset = public_grids.grid_option(ctx.db, grid_param, ctx.lang) if grid_param else None
    if preset and preset["id"] not in options:
        options = {preset["id"]: preset["label"], **options}
    grid_ids = list(options)

    with st.form("tip_form", border=False):
        st.radio(ctx.t("tip.kind_label"), tips.KINDS, key="tip_kind",
                 index=tips.KINDS.index("lead" if push_id else "request"),
                 format_func=lambda k: i18n.term("tip_kinds", k, ctx.lang),
                 captions=[ctx.t(f"tip.kind_help.{k}") for k in tips.KINDS])
        _field_error(errors, "kind")
        st.text_area(ctx.t("tip.description_label"), key="tip_description", max_chars=DESCRIPTION_INPUT_MAX,
                     height=150, placeholder=ctx.t("tip.description_placeholder"),
                     help=ctx.t("tip.description_help", max=DESCRIPTION_INPUT_MAX))
        _field_error(errors, "description")
        st.markdown(f"**{ctx.t('tip.where_label')}**")
        st.selectbox(ctx.t("tip.grid_label"), grid_ids, key="tip_grid", format_func=options.get,
                     index=grid_ids.index(preset["id"]) if preset else None,
                     placeholder=ctx.t("tip.grid_placeholder"))
        st.text_input(ctx.t("tip.place_label"), key="tip_place", max_chars=tips.LOCATION_MAX,
                      placeholder=ctx.t("tip.place_placeholder"))
        _field_error(errors, "where")
        st.text_input(ctx.t("tip.when_label"), key="tip_when", max_chars=WHEN_MAX,
                      placeholder=ctx.t("tip.when_placeholder"))
        _field_error(errors, "when")
        st.file_uploader(ctx.t("tip.photos_label", max=tips.MAX_PHOTOS), key="tip_photos",
                         type=["jpg", "jpeg", "png"], accept_multiple_files=True,
                         max_upload_size=files.MAX_UPLOAD_BYTES // (1024 * 1024),
                         help=ctx.t("tip.photos_help", max_mb=files.MAX_UPLOAD_BYTES // (1024 * 1024)))
        _field_error(errors, "photos")
        if errors:
            st.caption(ctx.t("tip.photos_check"))
        st.markdown(f"**{ctx.t('tip.contact_label')}**")
        st.checkbox(ctx.t("tip.anonymous"), key="tip_anonymous", value=True)
        st.caption(ctx.t("tip.anonymous_help"))
        st.caption(ctx.t("tip.contact_note"))
        st.text_input(ctx.t("tip.name_label"), key="tip_name", max_chars=tips.NAME_MAX,
                      placeholder=ctx.t("tip.name_placeholder"))
        _field_error(errors, "contact_name")
        st.text_input(ctx.t("tip.phone_label"), key="tip_phone", max_chars=20,
                      placeholder=ctx.t("tip.phone_placeholder"))
        _field_error(errors, "contact_phone")
        if push_id:
            st.markdown(f"**{ctx.t('tip.rating_label')}**")
            st.feedback("stars", key="tip_rating")
            _field_error(errors, "rating")
        st.text_input(ctx.t("guard.honeypot_label"), key="tip_website", max_chars=200, autocomplete="off")
        if verdict.needs_challenge:
            if not isinstance(state.get("tip_seed"), int):
                state["tip_seed"] = intake_guard.new_seed()
            question = intake_guard.make_challenge(state["tip_seed"])
            st.text_input(ctx.t(question.question, **question.params), key="tip_challenge_answer", max_chars=4)
            _field_error(errors, "challenge")
        st.checkbox(ctx.t("tip.consent_label"), key="tip_consent")
        st.caption(ctx.t("tip.consent_text", years=retention.retention_years()))
        _field_error(errors, "consent")
        st.form_submit_button(ctx.t("tip.submit"), key="tip_submit", type="primary", width="stretch",
                              on_click=_mark_pending)
    st.caption(ctx.t("tip.emergency"))
