"""Public tip tracker, 进度查询 (url path ``track``, also ``?code=...``): a sender follows a tip
with its code, and adds to it.

Shows the kind, the state in plain words, when it was received, and the conversation — the
police's public replies and the sender's own additions ("您的补充"), in order, as plain text —
nothing else (see :func:`lib.tips.tips.track`). Below it, "补充情况": what the sender adds goes to
:func:`lib.tips.intake_guard.guarded_addition` (the form's rate limits), becomes a line of the tip's
history the clerk sees, and is shown back here; a refusal keeps the typed text. Lookups are
rate-limited per client (:func:`lib.tips.intake_guard.guarded_track`) so that codes cannot be guessed;
an unknown code reveals nothing.

As on the tip form, buttons only mark what is pending; the next run does it before drawing.
"""

from __future__ import annotations

import streamlit as st

from lib.core.errors import InvalidState, ValidationError
from lib.grids import public_grids
from lib.i18n import i18n
from lib.tips import intake_guard, tip_actions, tips
from lib.ui import ui

CSS = """
<style>
.st-key-track_submit button, .st-key-track_add_submit button { min-height: 3rem; }
.st-key-track_code input { font-size: 1.3rem; letter-spacing: 0.08em; text-transform: uppercase; }
.st-key-track_timeline [data-testid="stText"] { white-space: pre-wrap; }
.st-key-track_timeline [class*="st-key-track_sender_"] { background: #eef3fa; border-left: 4px solid #1f4e9c; }
</style>
"""


def _mark_pending() -> None:
    st.session_state["track_pending"] = True


def _mark_add_pending() -> None:
    st.session_state["track_add_pending"] = True


def _client_key() -> str:
    return intake_guard.client_key(st.context.ip_address)


def _look_up(ctx: ui.Context, code: str) -> None:
    """Leave the outcome of a lookup in session state for this run."""
    state = st.session_state
    for key in ("track_result", "track_error", "track_notice", "track_add_error", "track_add_done"):
        state.pop(key, None)
    try:
        result = intake_guard.guarded_track(ctx.db, code, client_key=_client_key())
    except intake_guard.RateLimited as exc:
        state["track_notice"] = ctx.t(exc.key, **exc.params)
        return
    if result is None:
        state["track_error"] = ctx.t("track.not_found")
    else:
        state["track_result"] = {**result, "code": tips.normalize_code(code)}


def _add(ctx: ui.Context) -> None:
    """Send the sender's addition to the tip last looked up; on success, show it in the
    conversation and empty the box; on a refusal, keep the text and say why."""
    state = st.session_state
    state.pop("track_add_error", None)
    state.pop("track_add_done", None)
    result = state.get("track_result")
    if not result:
        return
    text = state.get("track_addition") or ""
    if len(text) > tip_actions.ADDITION_MAX:  # cut here, never silently by the browser
        state["track_addition"] = text[:tip_actions.ADDITION_MAX]
        state["track_add_error"] = ctx.t("tip.cut", max=tip_actions.ADDITION_MAX)
        return
    try:
        intake_guard.guarded_addition(ctx.db, result["code"], text, client_key=_client_key())
    except intake_guard.RateLimited as exc:
        state["track_add_error"] = ctx.t(exc.key, **exc.params)
    except (ValidationError, InvalidState) as exc:
        state["track_add_error"] = i18n.error_text(exc, ctx.lang)
    else:
        state["track_addition"] = ""  # before the box is drawn in this run: allowed
        state["track_add_done"] = True
        fresh = tips.track(ctx.db, result["code"])  # the code was just proven: no second count
        if fresh is not None:
            state["track_result"] = {**fresh, "code": result["code"]}


def _show(ctx: ui.Context, result: dict) -> None:
    state = result["state"]
    with st.container(border=True):
        st.caption(ctx.t("track.code_shown", code=tips.format_code(result["code"])))
        st.subheader(ctx.t(f"track.state.{state}"), anchor=False)
        st.write(ctx.t(f"track.state_help.{state}"))
        st.caption(f"{ctx.t('track.kind')}：{i18n.term('tip_kinds', result['kind'], ctx.lang)}")
        st.caption(f"{ctx.t('track.received')}：{public_grids.china_time(result['created_at'])}")
    st.subheader(ctx.t("track.replies"), anchor=False)
    timeline = result.get("timeline") or [dict(r, by="police") for r in result.get("replies", [])]
    if not any(entry["by"] == "police" for entry in timeline):
        st.caption(ctx.t("track.no_replies"))
    with st.container(key="track_timeline"):
        for n, entry in enumerate(timeline):
            by_sender = entry["by"] != "police"
            with st.container(border=True, key=f"track_{'sender' if by_sender else 'police'}_{n}"):
                who = "track.by_sender" if by_sender else "track.by_police"
                st.caption(ctx.t(who, at=public_grids.china_time(entry["at"])))
                st.text(entry["text"] or "")  # typed text, shown as text: never markdown or HTML


def _addition_form(ctx: ui.Context) -> None:
    state = st.session_state
    st.subheader(ctx.t("track.add_title"), anchor=False)
    if state.get("track_add_done"):
        st.success(ctx.t("track.add_done"), icon=":material/check_circle:")
    with st.form("track_add_form", border=False):
        st.text_area(ctx.t("track.add_label"), key="track_addition", height=110,
                     placeholder=ctx.t("track.add_placeholder"))
        if state.get("track_add_error"):
            st.error(state["track_add_error"], icon=":material/error:")
        st.form_submit_button(ctx.t("track.add_submit"), key="track_add_submit", type="primary", width="stretch",
                              on_click=_mark_add_pending)


def render() -> None:
    ctx = ui.public_page()
    st.html(CSS)
    state = st.session_state
    param = st.query_params.get("code")
    if isinstance(param, str) and param and state.get("track_param_done") != param:
        # A link from the tip form or the card's QR code (?code=…): look it up once, as if typed.
        state["track_param_done"] = param
        state["track_code"] = param[:40]
        state["track_pending"] = True
    if state.pop("track_pending", False):
        _look_up(ctx, state.get("track_code", ""))
    if state.pop("track_add_pending", False):
        _add(ctx)

    st.title(ctx.t("track.title"))
    st.caption(ctx.t("track.intro"))
    with st.form("track_form", border=False):
        st.text_input(ctx.t("track.code_label"), key="track_code", max_chars=40,
                      placeholder=ctx.t("track.code_placeholder"))
        st.form_submit_button(ctx.t("track.submit"), key="track_submit", type="primary", width="stretch",
                              on_click=_mark_pending)
    if state.get("track_notice"):
        st.warning(state["track_notice"], icon=":material/hourglass_top:")
    elif state.get("track_error"):
        st.error(state["track_error"], icon=":material/search_off:")
    elif state.get("track_result"):
        _show(ctx, state["track_result"])
        _addition_form(ctx)
    st.caption(ctx.t("tip.emergency"))


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
