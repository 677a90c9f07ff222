"""Public tip form (url path ``tip``): a placeholder until the tips issue builds it.

It already reads the QR code's query parameters (``?push=123&grid=45``) so that links
printed on posters today keep working.
"""

import streamlit as st

from lib import ui


def _int_param(name: str) -> int | None:
    value = st.query_params.get(name)
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


def render() -> None:
    ctx = ui.public_page()
    st.title(ctx.t("tip.title"))
    push_id, grid_id = _int_param("push"), _int_param("grid")
    if push_id is not None:
        st.info(ctx.t("tip.from_push", push=push_id))
    if grid_id is not None:
        st.caption(ctx.t("tip.from_grid", grid=grid_id))
    st.warning(ctx.t("tip.placeholder"))
