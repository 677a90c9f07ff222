"""Public tip tracker (url path ``track``): a placeholder until the tips issue builds it."""

import streamlit as st

from lib import ui


def render() -> None:
    ctx = ui.public_page()
    st.title(ctx.t("track.title"))
    st.warning(ctx.t("track.placeholder"))
