"""Public tip form (url path ``tip``): residents and grid volunteers, on a phone, no login.

Two shapes of one form. Opened from a push that went out (``?push=ID``, its QR code or link): the
issuing unit (logo and name, for trust), the push's title and first photo, then only what a lead
needs — what was seen, where (words, or the phone's location with the browser's own consent),
when (now, editable), a photo, a phone for a call back. The kind is ``lead``, the tip goes to the
issuing station (lib/tips/tips.py), ``?grid=ID`` is kept without a picker. Otherwise: the four kinds and
the place picker too.

Anonymous by default: typing a phone number means "call me back" (``is_anonymous = not phone``).
The consent is one box right above the button, under one line on what is kept, who sees it and
for how long.

One form, one submit. The submit button only marks the form as pending; the next run (which has
app.py's context and database) hands everything to :func:`lib.tips.intake_guard.submit_tip` before
drawing the page, so refusals show under their fields and the form keeps what was typed. A text
over its limit is cut here (never by the browser's ``max_chars``, which drops a paste's end
silently), kept cut in its field with a message, and not sent in that round. The photo widget
takes up to the server's ``maxUploadSize`` so that lib's smaller limit refuses a big photo in the
user's language, the form kept. Rate limits key on ``st.context.ip_address``; behind a proxy set
``FORWARDED_ALLOW_IPS`` (see lib/tips/intake_guard.py). After a success: the tracking code, a copy
button and the tracking card (lib/tips/tracking_card.py) to keep.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from lib.core import files
from lib.core.errors import PortalError, ValidationError
from lib.grids import public_grids
from lib.i18n import i18n
from lib.tips import intake_guard, retention, tips, tracking_card
from lib.ui import ui

WHEN_MAX = 40
# Room for the "when" line that is appended to the description (see _description).
DESCRIPTION_INPUT_MAX = tips.DESCRIPTION_MAX - WHEN_MAX - 40
# Texts cut here rather than by the browser: session key → (error place, limit).
# Room for the community's name that goes in front of the place when no grid is chosen (see _place).
PLACE_INPUT_MAX = tips.LOCATION_MAX - 24
CUT_FIELDS = {"tip_description": ("description", DESCRIPTION_INPUT_MAX), "tip_place": ("where", PLACE_INPUT_MAX)}
FIELDS_BY_PLACE = {"location_text": "where", "grid_id": "where", "station_id": "where", "lat": "where", "happened_at": "when"}
ICON = Path(__file__).resolve().parent.parent / "static" / "icon.svg"
MAX_MB = files.MAX_UPLOAD_BYTES // (1024 * 1024)

# Fixed CSS (no user text): the honeypot is moved off-screen; controls are made big enough for a
# thumb; the photo of a push is kept from filling the screen; Streamlit's English texts in the
# photo picker are hidden and the catalog's shown instead (``{pick}`` …: see _css).
CSS = """
<style>
.st-key-tip_website { position: absolute !important; left: -10000px !important; top: auto !important;
  width: 1px !important; height: 1px !important; overflow: hidden !important; }
.st-key-tip_kind label p { font-size: 1.05rem; }
.st-key-tip_kind div[role="radiogroup"] > label { padding: 0.35rem 0; }
.st-key-tip_submit button { min-height: 3rem; }
.st-key-tip_rating { zoom: 1.6; }
.st-key-tip_consent label p { font-size: 1.05rem; }
.st-key-tip_push_card img { max-height: 42vh; object-fit: contain; }
.st-key-tip_unit p { font-size: 1.1rem; font-weight: 600; margin: 0; }
.st-key-tip_unit [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-tip_done_code h1 { padding: 0 0 0.25rem 0; }
.st-key-tip_done_code code { font-size: 2.1rem; letter-spacing: 0.06em; padding: 0.2rem 0.5rem; }
.st-key-tip_done_card img { border: 1px solid #d5deeb; border-radius: 0.5rem; }
.st-key-tip_photos [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
.st-key-tip_photos [data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
.st-key-tip_photos [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "{pick}"; }
.st-key-tip_photos [data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "{limit}"; font-size: 0.85rem; opacity: 0.75; }
.st-key-tip_photos [data-testid="stFileUploaderDropzone"] button { min-height: 2.8rem; }
/* A photo the browser would not upload (over the server's 20 MB): say so in the user's language, and
   keep the button from sending the tip without it until it is removed. */
.st-key-tip_photos [aria-invalid="true"] [data-testid="stFileChipName"] + div::after {
  content: " · {failed}"; color: #b3261e; }
[data-testid="stForm"]:has(.st-key-tip_photos [aria-invalid="true"]) .st-key-tip_submit button {
  pointer-events: none; opacity: 0.45; }
[data-testid="stForm"]:has(.st-key-tip_photos [aria-invalid="true"]) .st-key-tip_submit::after {
  content: "{remove_first}"; display: block; margin-top: 0.4rem; color: #b3261e; }
</style>
"""


# With the unit's row on top, the header's copy of the logo would stand right above the same logo.
CSS_UNIT_ROW = """<style>[data-testid="stHeaderLogo"] { display: none; }</style>"""


def _css(ctx: ui.Context) -> str:
    texts = {"{pick}": ctx.t("tip.photos_pick"), "{limit}": ctx.t("tip.photos_limit", max_mb=MAX_MB),
             "{failed}": ctx.t("tip.photo_failed", max_mb=MAX_MB), "{remove_first}": ctx.t("tip.photo_remove_first")}
    css = CSS + ui.keep_counters_css('[data-testid="stForm"]:has(.st-key-tip_submit)')
    for placeholder, text in texts.items():
        css = css.replace(placeholder, ui.css_text(text))
    return css


def _mark_pending() -> None:
    st.session_state["tip_pending"] = True


def _again() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("tip_")]:
        del st.session_state[key]


def _description(text: str, when: str) -> str:
    """The description with the free-text "when" appended (staff read it in Chinese). A text too
    short on its own stays as it is, so that the "when" line never lets it pass the minimum."""
    when, text = (when or "").strip()[:WHEN_MAX], text or ""
    if not when or len(text.strip()) < tips.DESCRIPTION_MIN:
        return text
    return f"{text}\n\n{i18n.t('tip.when_stored', 'zh', when=when)}"


def _cut_long_texts(ctx: ui.Context) -> dict:
    """Cut each text over its limit to the limit, in its field; the messages by error place."""
    state, errors = st.session_state, {}
    for key, (place, limit) in CUT_FIELDS.items():
        value = state.get(key)
        if isinstance(value, str) and len(value) > limit:
            state[key] = value[:limit]  # before the widget is drawn in this run: allowed
            errors[place] = ctx.t("tip.cut", max=limit)
    return errors


def _position() -> tuple[float | None, float | None]:
    """The phone's location from the locate button, if the sender gave it."""
    try:
        value = st.session_state.get("tip_locate")
    except Exception:  # noqa: BLE001 — a component's state that cannot be read is no location
        return None, None
    position = value.get("position") if isinstance(value, dict) else None
    if isinstance(position, dict) and all(isinstance(position.get(k), int | float) for k in ("lat", "lon")):
        return float(position["lat"]), float(position["lon"])
    return None, None


def _process(ctx: ui.Context, card: dict | None, preset: dict | None, client_key: str) -> None:
    """Hand the submitted form to lib; leave the outcome in session state for this run."""
    state = st.session_state
    for key in ("tip_errors", "tip_notice", "tip_cut"):
        state.pop(key, None)
    cut = _cut_long_texts(ctx)
    if cut:  # not sent in this round: the sender checks the cut text first
        state["tip_errors"], state["tip_cut"] = cut, True
        return
    when = (state.get("tip_when") or "").strip()
    happened_at = public_grids.parse_china_time(when)
    phone = state.get("tip_phone") or ""
    feedback = state.get("tip_rating")
    lat, lon = _position()
    grid_id, station_id, location = _place(ctx, card, preset)
    tip = tips.TipInput(
        kind="lead" if card else state.get("tip_kind") or "",
        description=state.get("tip_description", "") if happened_at else _description(
            state.get("tip_description", ""), when),
        location_text=location,
        grid_id=grid_id,
        station_id=station_id,
        lat=lat, lon=lon,
        happened_at=happened_at,
        is_anonymous=not intake_guard.normalize_phone(phone),  # a phone typed means "call me back"
        contact_name=state.get("tip_name", ""),
        contact_phone=phone,
        push_id=card["id"] if card else None,
        rating=feedback + 1 if isinstance(feedback, int) and card else None,
        channel="qr" if card else "web",
        photos=tuple(f.getvalue() for f in state.get("tip_photos") or []),
        consent=bool(state.get("tip_consent")),
    )
    seed, answer = state.pop("tip_seed", None), state.get("tip_challenge_answer")  # one answer per question
    state["tip_challenge_answer"] = ""
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
        unit = card["unit"] if card else public_grids.tip_unit(ctx.db, made["id"], ctx.lang)
        state["tip_done"] = {"code": made["tracking_code"], "unit": unit, "at": public_grids.china_now()}


def _field_error(errors: dict, field: str) -> None:
    if field in errors:
        st.error(errors[field], icon=":material/error:")


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _communities(_db, version: str, lang: str) -> dict[str, str]:
    return {c["key"]: c["label"] for c in public_grids.community_options(_db, lang)}


@st.cache_data(ttl=600, max_entries=600, show_spinner=False)
def _community_grids(_db, version: str, key: str) -> dict[int, str]:
    return {g["id"]: g["label"] for g in public_grids.community_grids(_db, key)}


def _clear_grid() -> None:
    st.session_state["tip_grid"] = None  # another community: its own grids


def _place_picker(ctx: ui.Context, preset: dict | None) -> None:
    """Where, in two steps: the community (社区/村, with its station), then one of its grids. Above
    the form, because a widget inside a form sends nothing until the submit and the grids could not
    follow the community; the phone loads 277 community names, not 1,791 grids. A grid a QR code
    names (``?grid=ID``, of any category) is chosen already."""
    state = st.session_state
    version = public_grids.grids_version(ctx.db)
    communities = _communities(ctx.db, version, ctx.lang)
    if preset and preset["key"] not in communities:
        communities = {preset["key"]: preset["community_label"], **communities}
    if preset and "tip_community" not in state:
        state["tip_community"], state["tip_grid"] = preset["key"], preset["id"]
    st.markdown(f"**{ctx.t('tip.where_label')}**")
    st.selectbox(ctx.t("tip.community_label"), list(communities), key="tip_community", index=None,
                 format_func=communities.get, placeholder=ctx.t("tip.community_placeholder"), on_change=_clear_grid)
    key = state.get("tip_community")
    if key in communities:
        grids = _community_grids(ctx.db, version, key)
        if preset and preset["key"] == key and preset["id"] not in grids:
            grids = {preset["id"]: preset["grid_label"], **grids}
        st.selectbox(ctx.t("tip.grid_label"), list(grids), key="tip_grid", index=None, format_func=grids.get,
                     placeholder=ctx.t("tip.grid_placeholder"), help=ctx.t("tip.grid_help"))


def _place(ctx: ui.Context, card: dict | None, preset: dict | None) -> tuple[int | None, int | None, str]:
    """(grid_id, station_id, location text) of the form's answer to "where"."""
    state = st.session_state
    place = state.get("tip_place", "")
    if card:
        return (preset["id"] if preset else None), None, place
    grid_id = state.get("tip_grid")
    chosen = None if grid_id else public_grids.community_station(ctx.db, state.get("tip_community"))
    if chosen is None:
        return grid_id, None, place
    station_id, community = chosen  # no grid chosen: the community's station, and its name for staff
    return None, station_id, "，".join(part for part in (community, place.strip()) if part)


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def _push_card(_db, push_id: int | None, lang: str) -> dict | None:
    """The card of a sent push (a minute old at most: an appeal closed is soon shown so)."""
    return public_grids.sent_push_card(_db, push_id, lang)


def _base_url() -> str | None:
    """The portal's address as the browser sees it (``…/tip`` taken off), for the tracker link
    when ``PORTAL_PUBLIC_URL`` is not set."""
    url = st.context.url
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    path = parts.path[: -len("/tip")] if parts.path.endswith("/tip") else ""
    return f"{parts.scheme}://{parts.netloc}{path}"


def _unit_row(unit: str) -> None:
    """The unit a resident is talking to, with the program's logo (a local file)."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="tip_unit"):
        st.image(str(ICON), width=40)
        st.markdown(ui.inert(unit))


def _show_push(ctx: ui.Context, card: dict) -> None:
    _unit_row(card["unit"])
    with st.container(border=True, key="tip_push_card"):
        st.caption(f"{ctx.t('tip.answering')}{ui.inert(card['label'])}")
        st.subheader(ui.inert(card["title"]), anchor=False)
        if card["photo"]:
            st.image(card["photo"], width="stretch")
        if card["is_closed"]:
            st.info(ctx.t("tip.appeal_closed"), icon=":material/info:")


def _card_png(ctx: ui.Context, done: dict) -> bytes | None:
    if "card" not in done:
        try:
            done["card"] = tracking_card.render_card_png(
                done["code"], unit=done["unit"], date_text=done["at"],
                url=tracking_card.track_url(done["code"], _base_url()), lang=ctx.lang)
        except PortalError:  # no CJK font on this server: the code and the copy button remain
            done["card"] = None
    return done["card"]


def _show_done(ctx: ui.Context, done: dict) -> None:
    shown = tips.format_code(done["code"])
    st.success(ctx.t("tip.done_title"), icon=":material/check_circle:")
    st.caption(ctx.t("tip.done_code"))
    with st.container(key="tip_done_code"):
        st.markdown(f"# `{shown}`")  # our own alphabet only: nothing a user typed
    ui.copy_button(ctx, shown, ctx.t("tip.done_copy"), key="tip_copy")
    st.info(ctx.t("tip.done_save"), icon=":material/bookmark:")
    png = _card_png(ctx, done)
    if png:
        with st.container(key="tip_done_card"):
            st.image(png, width="stretch", alt=ctx.t("tip.done_card_alt"))
        st.download_button(ctx.t("tip.done_download"), png, file_name=f"tracking-{shown}.png", mime="image/png",
                           key="tip_download", icon=":material/download:", on_click="ignore", width="stretch")
    ui.page_link(ctx, "track", ctx.t("tip.done_track"), icon=":material/search:", query_params={"code": shown})
    st.button(ctx.t("tip.done_again"), key="tip_again", on_click=_again)
    st.caption(ctx.t("tip.emergency"))


def _description_field(ctx: ui.Context, card: dict | None, errors: dict) -> None:
    """What happened (a lead's words when the form answers a push)."""
    st.text_area(ctx.t("tip.lead_description_label" if card else "tip.description_label"),
                 key="tip_description", height=130 if card else 150,
                 placeholder=ctx.t("tip.lead_description_placeholder" if card else "tip.description_placeholder"),
                 help=ctx.t("tip.description_help", max=DESCRIPTION_INPUT_MAX))
    _field_error(errors, "description")


def render() -> None:
    ctx = ui.public_page()
    st.html(_css(ctx))
    state = st.session_state
    card = _push_card(ctx.db, public_grids.parse_id(st.query_params.get("push")), ctx.lang)
    grid_param = public_grids.parse_id(st.query_params.get("grid"))
    preset = public_grids.grid_place(ctx.db, grid_param, ctx.lang) if grid_param else None
    client_key = intake_guard.client_key(st.context.ip_address)
    if state.pop("tip_pending", False):
        _process(ctx, card, preset, client_key)

    if card:
        st.html(CSS_UNIT_ROW)
        if not state.get("tip_done"):
            _show_push(ctx, card)
        else:
            _unit_row(card["unit"])
    else:
        st.title(ctx.t("tip.title"))
    if state.get("tip_done"):
        _show_done(ctx, state["tip_done"])
        return
    if card:
        st.subheader(ctx.t("tip.title"), anchor=False)  # the form's own heading, under what it answers
    st.caption(ctx.t("tip.lead_intro" if card else "tip.intro"))
    verdict = intake_guard.check(ctx.db, client_key=client_key, contact_phone=None)
    errors: dict = state.get("tip_errors") or {}
    if state.get("tip_notice"):
        st.warning(state["tip_notice"], icon=":material/hourglass_top:")
    elif not verdict.allowed:
        st.warning(ctx.t("guard.too_many_tips", minutes=max(1, -(-verdict.retry_after_s // 60))),
                   icon=":material/hourglass_top:")
    if state.get("tip_cut"):
        st.warning(ctx.t("tip.cut_top"), icon=":material/content_cut:")
    elif errors:
        st.error(ctx.t("tip.fix_fields"), icon=":material/error:")
    if "tip_when" not in state:
        state["tip_when"] = public_grids.china_now()  # "now", editable

    if not card:  # above the form: the place picker's grids follow its community (see _place_picker)
        st.radio(ctx.t("tip.kind_label"), tips.KINDS, key="tip_kind", index=tips.KINDS.index("request"),
                 format_func=lambda k: i18n.term("tip_kinds", k, ctx.lang),
                 captions=[ctx.t(f"tip.kind_help.{k}") for k in tips.KINDS])
        _field_error(errors, "kind")
        _place_picker(ctx, preset)

    # No sending by the keyboard's Enter: a phone's "Go" after the phone number would send a half-filled
    # form, and it would pass by the CSS that holds the button while a photo failed to upload.
    with st.form("tip_form", border=False, enter_to_submit=False):
        if card:
            _description_field(ctx, card, errors)
            st.text_input(ctx.t("tip.lead_place_label"), key="tip_place", placeholder=ctx.t("tip.place_placeholder"))
        else:
            st.text_input(ctx.t("tip.place_label"), key="tip_place", placeholder=ctx.t("tip.place_placeholder"))
        ui.locate_button(ctx, key="tip_locate")
        _field_error(errors, "where")
        if not card:  # after the place: its picker sits above the form
            _description_field(ctx, card, errors)
        st.text_input(ctx.t("tip.when_label"), key="tip_when", max_chars=WHEN_MAX,
                      placeholder=ctx.t("tip.when_placeholder"))
        _field_error(errors, "when")
        # No max_upload_size: the widget takes up to the server's maxUploadSize (20 MB), so that a
        # photo over lib's limit (8 MB) is refused by lib, in the user's language, the form kept.
        st.file_uploader(ctx.t("tip.photos_label", max=tips.MAX_PHOTOS), key="tip_photos",
                         type=["jpg", "jpeg", "png"], accept_multiple_files=True,
                         help=ctx.t("tip.photos_help", max_mb=MAX_MB))
        _field_error(errors, "photos")
        if errors:
            st.caption(ctx.t("tip.photos_check"))
        st.text_input(ctx.t("tip.phone_label"), key="tip_phone", max_chars=20,
                      placeholder=ctx.t("tip.phone_placeholder"))
        st.caption(ctx.t("tip.phone_help"))
        _field_error(errors, "contact_phone")
        st.text_input(ctx.t("tip.name_label"), key="tip_name", max_chars=tips.NAME_MAX,
                      placeholder=ctx.t("tip.name_placeholder"))
        _field_error(errors, "contact_name")
        if card:
            st.markdown(f"**{ctx.t('tip.rating_label_appeal' if card['category'] == 'appeal' else 'tip.rating_label')}**")
            st.feedback("stars", key="tip_rating")
            _field_error(errors, "rating")
        st.text_input(ctx.t("guard.honeypot_label"), key="tip_website", max_chars=200, autocomplete="off")
        if verdict.needs_challenge:
            if not isinstance(state.get("tip_seed"), int):
                state["tip_seed"] = intake_guard.new_seed()
            question = intake_guard.make_challenge(state["tip_seed"])
            st.text_input(ctx.t(question.question, **question.params), key="tip_challenge_answer", max_chars=4)
            _field_error(errors, "challenge")
        st.caption(ctx.t("tip.consent_text", years=retention.retention_years()))
        st.checkbox(ctx.t("tip.consent_label"), key="tip_consent")
        _field_error(errors, "consent")
        st.form_submit_button(ctx.t("tip.submit"), key="tip_submit", type="primary", width="stretch",
                              on_click=_mark_pending)
    st.caption(ctx.t("tip.emergency"))


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
