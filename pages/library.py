"""资讯信息库: the reusable push content every clerk can search; district admins keep it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core import taxonomy
from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.pushes import library
from lib.ui import ui

P = "library_"


def render() -> None:
    ctx = ui.staff_page()
    t, user = ctx.t, ctx.user
    st.title(t("library.title"))
    st.caption(t("library.intro"))
    cols = st.columns([2, 1])
    text = cols[0].text_input(t("library.search"), key=P + "text", max_chars=50)
    category = cols[1].selectbox(t("library.category"), [None] + taxonomy.codes("push_categories"), key=P + "category",
                                 format_func=lambda c: t("compose.target.all") if c is None
                                 else i18n.term("push_categories", c, ctx.lang))
    items = library.search_items(ctx.db, user, text=text, category=category, limit=200)
    if items:
        st.dataframe(pd.DataFrame([{
            t("library.col.title"): i["title"],
            t("library.col.category"): i18n.term("push_categories", i["category"], ctx.lang),
            t("library.col.body"): i["body"][:80] + ("…" if len(i["body"]) > 80 else ""),
        } for i in items]), hide_index=True, width="stretch", key=P + "table")
    else:
        st.info(t("library.none"))
    if not user.is_district:
        return
    st.subheader(t("library.edit"))
    ids = [None] + [i["id"] for i in items]
    titles = {i["id"]: i["title"] for i in items}
    item_id = st.selectbox(t("library.pick"), ids, key=P + "pick",
                           format_func=lambda i: t("library.new") if i is None else titles[i])
    current = library.get_item(ctx.db, user, item_id) if item_id else {}
    codes = taxonomy.codes("push_categories")
    with st.form(P + f"form_{item_id}"):
        cat = st.selectbox(t("library.category"), codes, index=codes.index(current.get("category", "anti_fraud")),
                           format_func=lambda c: i18n.term("push_categories", c, ctx.lang))
        title = st.text_input(t("library.item_title"), current.get("title", ""), max_chars=40)
        body = st.text_area(t("library.item_body"), current.get("body", ""), max_chars=1200, height=160)
        tags = st.text_input(t("library.tags"), current.get("tags", ""), max_chars=100)
        save = st.form_submit_button(t("library.save"), type="primary")
    try:
        if save:
            library.save_item(ctx.db, user, category=cat, title=title, body=body, tags=tags, item_id=item_id)
            st.success(t("library.saved"))
        if item_id and st.button(t("library.delete"), key=P + "delete"):
            library.delete_item(ctx.db, user, item_id)
            st.success(t("library.deleted"))
    except PortalError as exc:
        ui.show_error(ctx, exc)


if __name__ == "__main__":  # a fresh server runs this file itself (see pages/__init__.py): app.py serves it
    ui.run_app()
