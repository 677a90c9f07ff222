"""Entry point: page config, database, login, role-aware navigation — nothing else."""

import streamlit as st

from lib.core import settings
from lib.core.db import connect
from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.ui import ui, ui_auth
from pages import (
    account,
    accounts,
    appeals,
    checklist,
    compose,
    experts,
    home,
    league,
    library,
    login,
    map,
    mediation,
    problems,
    pushes,
    registry,
    rules,
    situations,
    tip,
    track,
    triage,
)

# (nav section key, render function, title key, icon, url path, roles allowed or None for all staff)
STAFF_PAGES = [
    ("nav.section.work", home.render, "nav.home", ":material/dashboard:", "home", None),
    ("nav.section.work", triage.render, "triage.title", ":material/fact_check:", "triage", None),
    ("nav.section.work", appeals.render, "board.title", ":material/timer:", "appeals", None),
    ("nav.section.work", mediation.render, "mediation.title", ":material/video_call:", "mediation", None),
    ("nav.section.duty", league.render, "league.title", ":material/leaderboard:", "league",
     ("district_admin", "station_admin")),
    ("nav.section.duty", checklist.render, "checklist.title", ":material/checklist:", "checklist", None),
    ("nav.section.duty", problems.render, "problems.title", ":material/report_problem:", "problems", None),
    ("nav.section.duty", situations.render, "situations.title", ":material/forum:", "situations", None),
    ("nav.section.pushes", compose.render, "nav.compose", ":material/campaign:", "compose", None),
    ("nav.section.pushes", pushes.render, "nav.pushes", ":material/list_alt:", "pushes", None),
    ("nav.section.pushes", library.render, "nav.library", ":material/library_books:", "library", None),
    ("nav.section.grids", registry.render, "nav.registry", ":material/groups:", "registry", None),
    ("nav.section.grids", map.render, "nav.map", ":material/map:", "map", None),
    ("nav.section.resources", experts.render, "experts.title", ":material/support_agent:", "experts", None),
    ("nav.section.resources", rules.render, "rules.title", ":material/rule:", "rules", ("district_admin",)),
    ("nav.section.account", accounts.render, "accounts.title", ":material/manage_accounts:", "accounts",
     ("district_admin", "station_admin")),
    ("nav.section.account", account.render, "nav.account", ":material/account_circle:", "account", None),
]

st.set_page_config(page_title="新百千万工作平台", page_icon="🛡️", layout="wide")
lang = ui.current_lang()
ui.inject_css(lang)

try:
    db = connect()
    # Public pages skip the login machinery (its cookie manager, 140 kB) for visitors.
    authenticator = ui_auth.build_authenticator(db) if ui_auth.needs_authenticator(ui_auth.requested_path()) else None
except PortalError as exc:
    st.error(i18n.error_text(exc, lang))
    st.stop()

user = ui_auth.current_user(db, authenticator) if authenticator else None
if authenticator:
    ui_auth.write_login_cookie(authenticator)
ctx = ui.Context(db=db, user=user, lang=lang, authenticator=authenticator)
if user is not None:
    ui.show_notices(ctx)  # what happened to the user's pushes and tips since their last click

st.logo("static/logo.svg", size="large", icon_image="static/icon.svg")
with st.sidebar:
    st.selectbox(i18n.t("app.language", lang), list(i18n.LANGUAGES), key="app_lang",
                 format_func=i18n.LANGUAGES.get)
    if user is not None:
        st.caption(ctx.t("login.signed_in_as", name=user.name, role=ctx.t(f"role.{user.role}"),
                         unit=user.unit_name))
        if st.button(ctx.t("login.logout"), key="app_logout"):
            ui_auth.logout(ctx, authenticator)
            ctx.user = user = None
            st.toast(ctx.t("login.logged_out"))
    if settings.is_demo(db):
        st.caption(ctx.t("app.demo_banner"))
ui.set_context(ctx)

public = [
    st.Page(tip.render, title=ctx.t("nav.tip"), icon=":material/edit_note:", url_path="tip"),
    st.Page(track.render, title=ctx.t("nav.track"), icon=":material/search:", url_path="track"),
]
if user is None:
    # Staff pages stay registered, hidden: a deep link shows the login form, then the page.
    nav = {
        ctx.t("nav.section.account"): [
            st.Page(login.render, title=ctx.t("nav.login"), icon=":material/login:", url_path="login",
                    default=True),
            *(st.Page(fn, title=ctx.t(key), url_path=url, visibility="hidden")
              for _section, fn, key, _icon, url, _roles in STAFF_PAGES),
        ],
        ctx.t("nav.section.public"): public,
    }
elif user.must_change_password:
    # An admin set this password (a new account, a reset): only 我的账户 is in the menu until its
    # owner has replaced it; the other pages stay registered, hidden, and show that form too.
    nav = {
        ctx.t("nav.section.account"): [
            st.Page(account.render, title=ctx.t("nav.account"), icon=":material/account_circle:",
                    url_path="account", default=True),
            *(st.Page(fn, title=ctx.t(key), url_path=url, visibility="hidden")
              for _section, fn, key, _icon, url, roles in STAFF_PAGES
              if url != "account" and (roles is None or user.role in roles)),
        ],
        ctx.t("nav.section.public"): public,
    }
else:
    nav = {}
    for section, fn, key, icon, url, roles in STAFF_PAGES:
        if roles is None or user.role in roles:
            nav.setdefault(ctx.t(section), []).append(st.Page(fn, title=ctx.t(key), icon=icon, url_path=url))
    # The app root shows the first page through a hidden default page: Streamlit serves its
    # default page at "/" only, so the workbench keeps its own /home (a bookmark, a typed url).
    # "start" is never a url anyone opens, so it has no module of its own (pages/__init__.py).
    _section, fn, key, _icon, _url, _roles = STAFF_PAGES[0]
    next(iter(nav.values())).append(st.Page(fn, title=ctx.t(key), url_path="start", default=True,
                                            visibility="hidden"))
    nav[ctx.t("nav.section.public")] = public

ctx.pages = st.session_state["portal_pages"] = {page.url_path: page for section in nav.values() for page in section}
try:
    st.navigation(nav, expanded=True).run()  # every page in view: no "View more"
finally:
    # Widgets keep closures of this run (a format_func that reads ctx) as long as the session lives;
    # an open connection kept with them holds up to 2 MB of page cache per session. Later work opens
    # its own: a live part's timer (ui.live), a download's data (ui.on_demand), a callback.
    ui.set_context(None)
    db.close()
