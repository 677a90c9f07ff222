"""Public tip tracker (url path ``track``, also ``?code=...``): a sender follows a tip with its code.

Shows the kind, the state in plain words, when it was received and the public replies (as
plain text) — nothing else (see :func:`lib.tips.track`). Lookups are rate-limited per client
(:func:`lib.intake_guard.guarded_track`) so that codes cannot be guessed; an unknown code
reveals nothing.
"""

from __future__ import annotations

import streamlit as st

from lib import i18n, intake_guard, public_grids, tips, ui

CSS = """
<style>
.st-key-track_submit button { min-height: 3rem; }
.st-key-track_code input { font-size: 1.3rem; letter-spacing: 0.08em; text-transform: uppercase; }
</style>
"""


def _mark_pending() -> None:
    st.session_state["track_pending"] = True


def _look_up(ctx: ui.Context, code: str) -> None:
    """Leave the outcome of a lookup in session state for this run."""
    state = st.session_state
    for key in ("track_result", "track_error", "track_notice"):
        state.pop(key, None)
    try:
        result = intake_guard.guarded_track(ctx.db, code, client_key=intake_guard.client_key(st.context.ip_address, st.session_state))
    except intake_guard.RateLimited as exc:
        state["track_notice"] = ctx.t(exc.key, **exc.params)
        return
    if result is None:
        state["track_error"] = ctx.t("track.not_found")
    else:
        state["track_result"] = {**result, "code": tips.normalize_code(code)}


def _show(ctx: ui.Context, result: dict) -> None:
    state = result["state"]
    with st.container(border=True):
        st.caption(ctx.t("track.code_shown", code=tips.format_code(result["code"])))
        st.subheader(ctx.t(f"track.state.{state}"))
        st.write(ctx.t(f"track.state_help.{state}"))
        st.caption(f"{ctx.t('track.kind')}：{i18n.term('tip_kinds', result['kind'], ctx.lang)}")
        st.caption(f"{ctx.t('track.received')}：{public_grids.china_time(result['created_at'])}")
    st.subheader(ctx.t("track.replies"))
    if not result["replies"]:
        st.caption(ctx.t("track.no_replies"))
    for reply in result["replies"]:
        with st.container(border=True):
            st.caption(public_grids.china_time(reply["at"]))
            st.text(reply["text"])  # staff text, shown as text: never markdown or HTML


def render() -> None:
    ctx = ui.public_page()
    st.html(CSS)
    state = st.session_state
    param = st.query_params.get("code")
    if isinstance(param, str) and param and state.get("track_param_done") != param:
        # A link from the tip form (?code=…): look it up once, as if typed.
        state["track_param_done"] = param
        state["track_code"] = param[:40]
        state["track_pending"] = True
    if state.pop("track_pending", False):
        _look_up(ctx, state.get("track_code", ""))

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
