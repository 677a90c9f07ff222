"""Small shared Streamlit helpers: the run context, language, role guard, formatting.

``app.py`` opens one database connection per script run and stores it, with the user
and language, in a thread-local context (each Streamlit session runs its script in
its own thread). Pages read it with :func:`context` / :func:`staff_page`.
"""

from __future__ import annotations

import runpy
import threading
from pathlib import Path

import streamlit as st

from lib.core import files
from lib.core.errors import PortalError
from lib.i18n import i18n
from lib.ui import ui_auth
from lib.ui.context import Context, context, set_context  # noqa: F401  (pages use them as ui.*)

APP_PY = Path(__file__).resolve().parents[2] / "app.py"


def current_lang() -> str:
    """The UI language: the sidebar choice, else ``?lang=en``, else Chinese."""
    if "app_lang" not in st.session_state:
        st.session_state["app_lang"] = i18n.normalize_lang(st.query_params.get("lang"))
    return i18n.normalize_lang(st.session_state["app_lang"])


def staff_page(*roles: str, temporary_password_ok: bool = False) -> Context:
    """The role guard every staff page starts with.

    Stops the page unless a user is logged in (with one of ``roles``, if given). While the
    user's password is one an admin set, every page but 我的账户 (``temporary_password_ok``)
    shows only the form to replace it. Without app.py's context (``render()`` called by
    anything but app.py's navigation) it shows nothing at all.
    """
    ctx = context()
    if ctx is None:
        st.stop()
    if ctx.user is None:
        st.info(ctx.t("login.need_login"))
        ui_auth.login_form(ctx)
        st.stop()
    if ctx.user.must_change_password and not temporary_password_ok:
        st.warning(ctx.t("accounts.must_change"))
        password_form(ctx)
        st.stop()
    if roles and ctx.user.role not in roles:
        st.error(ctx.t("error.scope"))
        st.stop()
    return ctx


def password_form(ctx: Context) -> None:
    """Change your own password: the current one and the new one twice; on a refusal what was typed
    stays (a form keeps it). Used by 我的账户 and by every staff page while a temporary password is
    in force."""
    t, p = ctx.t, "account_"
    st.subheader(t("account.password.title"))
    if st.session_state.pop(p + "done", False):
        st.success(t("account.password.done"))
    with st.form(p + "password", clear_on_submit=False):
        current = st.text_input(t("account.password.current"), type="password", key=p + "current")
        new = st.text_input(t("account.password.new"), type="password", key=p + "new",
                            help=t("account.password.help"))
        repeat = st.text_input(t("account.password.repeat"), type="password", key=p + "repeat")
        submitted = st.form_submit_button(t("account.password.submit"), type="primary")
    if not submitted:
        return
    try:
        ui_auth.change_password(ctx.db, ctx.user, current, new, repeat)
    except PortalError as exc:
        show_error(ctx, exc)
        return
    for key in ("current", "new", "repeat"):
        st.session_state.pop(p + key, None)
    st.session_state[p + "done"] = True
    st.rerun()


def on_demand(make):
    """A download's ``data`` made when the file is asked for, as ``make(db)`` with a connection of
    its own: the click comes after the run, whose connection app.py has closed by then (and which
    belongs to another thread). ``make`` must not capture the run's ``ctx.db``."""

    def data():
        from lib.core.db import connect
        db = connect()
        try:
            return make(db)
        finally:
            db.close()

    return data


def public_page() -> Context:
    """The guard of public pages: only needs app.py's context."""
    ctx = context()
    if ctx is None:
        st.stop()
    return ctx


def run_app() -> None:
    """Run app.py as ``__main__`` — login, scope, navigation and then the page asked for.

    The guard at the bottom of every page module (``if __name__ == "__main__": ui.run_app()``):
    Streamlit executes a page file as a script, under ``__main__``, only on the first request
    after a server restart, before ``st.navigation`` has run once (see pages/__init__.py).
    """
    runpy.run_path(str(APP_PY), run_name="__main__")


def optional_select(ctx: Context, container, label_key: str, options: list, key: str, fmt, **kwargs):
    """A filter selectbox whose first choice, ``None``, reads "全部" (all)."""
    everything = ctx.t("registry.filter.all")
    return container.selectbox(ctx.t(label_key), [None] + list(options), key=key,
                               format_func=lambda v: everything if v is None else fmt(v), **kwargs)


def label_filters(ctx: Context, columns, prefix: str, **kwargs) -> tuple[str | None, str | None, str | None]:
    """The three taxonomy filters of grids — category, section label, industry label — in
    three columns; returns the chosen codes (``None`` for all)."""
    from lib.core import taxonomy

    chosen = []
    for col, (name, label_key, key) in zip(columns, (
            ("grid_categories", "registry.filter.category", "category"),
            ("section_labels", "registry.filter.section", "section"),
            ("industry_labels", "registry.filter.industry", "industry")), strict=True):
        chosen.append(optional_select(ctx, col, label_key, taxonomy.codes(name), prefix + key,
                                      lambda code, name=name: i18n.term(name, code, ctx.lang), **kwargs))
    return chosen[0], chosen[1], chosen[2]


def fmt_int(n: int | float | None) -> str:
    """Thousands with a comma: 220,056."""
    return "–" if n is None else f"{int(n):,}"


def fmt_pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}%"


MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~:$"


def inert(text) -> str:
    """Data text made inert inside Markdown (names, titles, what a user typed): Streamlit
    renders Markdown in captions, errors and labels, never HTML, but a typed ``[link](…)``
    or ``**`` would still change what is shown."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in str(text or ""))


def show_error(ctx: Context, exc: Exception) -> None:
    """Show a domain refusal in the user's language; what it quotes of the user's input is inert."""
    params = {k: inert(v) if isinstance(v, str) else v for k, v in getattr(exc, "params", {}).items()}
    st.error(i18n.t(exc.key, ctx.lang, **params) if hasattr(exc, "key") else i18n.error_text(exc, ctx.lang))


def forget_written_inputs(prefix: str) -> None:
    """At the top of a page: drop the inputs of the last successful write (``<prefix>clear``, listed by the
    write before its rerun), and open the record it made (``<prefix>open_next`` → ``<prefix>pick``): the
    widgets holding them are drawn only after this, so Streamlit lets their state go."""
    for key in st.session_state.pop(prefix + "clear", []):
        st.session_state.pop(key, None)
    if prefix + "open_next" in st.session_state:
        st.session_state[prefix + "pick"] = st.session_state.pop(prefix + "open_next")


def version_seen(prefix: str, record_id: int, version: int, changed: str, reload: str) -> int:
    """The version of a record this user was shown (kept per record under ``<prefix>seen_<id>``): every
    write names it, so a change made meanwhile is refused, not overwritten. When the record has moved on
    since, say so (``changed``) with a button (``reload``) that shows the new version. Returns the version
    the user has seen."""
    seen_key = prefix + f"seen_{record_id}"
    seen = st.session_state.setdefault(seen_key, version)
    if seen != version:
        st.warning(changed)
        if st.button(reload, key=prefix + f"reload_{record_id}", type="primary"):
            st.session_state[seen_key] = version
            st.rerun()
    return seen


def show_field_errors(ctx: Context, exc: Exception, label_of) -> None:
    """A refusal of several fields (:class:`lib.core.errors.FieldErrors`): its summary, then one line per
    field as "label：message" (``label_of(field)`` names the field in the user's language); any other
    refusal as :func:`show_error` shows it."""
    errors = getattr(exc, "errors", None)
    show_error(ctx, exc)
    for field, (key, params) in (errors or {}).items():
        shown = {k: inert(v) if isinstance(v, str) else v for k, v in params.items()}
        st.error(f"{label_of(field)}：{ctx.t(key, **shown)}")


CSS = """
<style>
/* The cookie manager's iframe leaves an empty gap at the top of every page. */
div[data-testid="stElementContainer"]:has(iframe[title*="cookie_manager"]),
div.element-container:has(iframe[title*="cookie_manager"]) { display: none; }
div[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
</style>
"""


# Streamlit writes "Press Enter to apply" (and "… to submit form", "Press Ctrl+Enter …") under a
# text field being typed in, with no API to change it. The hint is the first <span> of
# [data-testid=InputInstructions]; a character counter ("12/40"), when the field has a limit, is the
# last. The hint's English is hidden and the catalog's words drawn in its place. A lone span is the
# hint, except in a form that does not submit on Enter, where it is the counter:
# :func:`keep_counters_css` restores it there.
_HINT = '[data-testid="InputInstructions"] > span:first-child'
_HINT_PLACES = (
    # (where, catalog key): later rules win, so the form's words come after the page's
    ('[data-testid="stTextInput"] {h}, [data-testid="stNumberInput"] {h}', "ui.hint.apply"),
    ('[data-testid="stTextArea"] {h}', "ui.hint.apply_multiline"),
    ('[data-testid="stForm"] [data-testid="stTextInput"] {h}, [data-testid="stForm"] [data-testid="stNumberInput"] {h}',
     "ui.hint.submit"),
    ('[data-testid="stForm"] [data-testid="stTextArea"] {h}', "ui.hint.submit_multiline"),
)


def css_text(text: str) -> str:
    """Catalog text as the inside of a CSS string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


# The file uploader's own words ("Drag and drop file here", "Limit 200MB per file • CSV", "Browse
# files") have no API either: hidden, and the catalog's drawn in their place, with the one limit
# the server enforces (lib.core.files.UPLOAD_LIMIT_MB). A page may draw its own over these (the
# public form's photos: pages/tip.py, a more specific selector).
_UPLOADER_RULES = (
    '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,'
    ' [data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }',
    '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "@pick"; }',
    '[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "@drop"; font-size: 0.85rem;'
    ' opacity: 0.8; }',
)


def hint_css(lang: str) -> str:
    """CSS that shows Streamlit's "Press Enter to apply" hints (see _HINT) and the file uploader's
    words (see _UPLOADER_RULES) in ``lang``."""
    rules = [f"{_HINT} {{ font-size: 0 !important; }}",
             f"{_HINT}::after {{ font-size: 0.75rem; }}"]
    for where, key in _HINT_PLACES:
        selector = where.format(h=_HINT + "::after")
        rules.append(f'{selector} {{ content: "{css_text(i18n.t(key, lang))}"; }}')
    words = {"pick": css_text(i18n.t("ui.upload.pick", lang)),
             "drop": css_text(i18n.t("ui.upload.drop", lang, max_mb=files.UPLOAD_LIMIT_MB))}
    rules += [rule.replace("@pick", words["pick"]).replace("@drop", words["drop"]) for rule in _UPLOADER_RULES]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def keep_counters_css(form_selector: str) -> str:
    """For a form made with ``enter_to_submit=False`` (``form_selector`` finds it, e.g.
    ``[data-testid="stForm"]:has(.st-key-tip_submit)``): its fields' lone span is the character
    counter, not the hint — shown as Streamlit draws it."""
    lone = f'{form_selector} [data-testid="InputInstructions"] > span:only-child'
    return (f"<style>{lone} {{ font-size: inherit !important; }} "
            f"{lone}::after {{ content: none !important; }}</style>")


def inject_css(lang: str = i18n.DEFAULT_LANG) -> None:
    st.html(CSS + hint_css(lang))


# --- live parts of a page ---------------------------------------------------------------------

LIVE_REFRESH_S = 10  # how often a page's live part reruns by itself (the race's figure: at most 15 s)


def _fresh_context() -> Context | None:
    """A context with a connection of its own for the session's user (None when the session is no
    longer logged in)."""
    from lib.core.db import connect
    db = connect()
    user = ui_auth.session_user(db)
    if user is None:
        db.close()
        return None
    return Context(db=db, user=user, lang=current_lang(), pages=st.session_state.get("portal_pages") or {})


def live(fn):
    """Make ``fn(ctx, *args)`` a page's live part: a Streamlit fragment rerun every
    :data:`LIVE_REFRESH_S` seconds on its own — the rest of the page, and what the user is
    typing there, is left alone. Pass only plain data as ``args`` (they are kept between runs).

    Within the page's run it uses the run's context. A rerun by its timer runs without app.py, in
    another thread, after app.py closed the run's connection: it gets a connection of its own,
    closed when it ends (kept, it would stay alive with the session: 2 MB of page cache each)."""

    @st.fragment(run_every=LIVE_REFRESH_S)
    def _part(*args, **kwargs):
        ctx = context()
        if ctx is not None and ctx.thread == threading.get_ident():
            fn(ctx, *args, **kwargs)
            return
        fresh = _fresh_context()
        if fresh is None:
            return
        set_context(fresh)
        try:
            fn(fresh, *args, **kwargs)
        finally:
            set_context(None)
            fresh.db.close()

    _part.__name__ = _part.__qualname__ = f"live_{fn.__module__}_{fn.__name__}"
    return _part


def show_notices(ctx: Context) -> None:
    """Toast the user's unseen notices (each once) — what happened to their pushes and tips
    while they were elsewhere."""
    from lib.core import notices

    for notice in notices.take_unseen(ctx.db, ctx.user):
        st.toast(notice_text(ctx, notice), icon=NOTICE_ICONS.get(notice["kind"], ":material/notifications:"),
                 duration="long")


# Material icons come with Streamlit: intranet PCs may have no emoji font.
NOTICE_ICONS = {"push_submitted": ":material/rate_review:", "push_approved": ":material/check_circle:",
                "push_sent": ":material/campaign:", "push_rejected": ":material/undo:",
                "tip_addition": ":material/add_comment:", "appeal_closed": ":material/flag:"}


def notice_text(ctx: Context, notice: dict) -> str:
    """A notice in the reader's language; what it quotes (titles, names, reasons) made inert."""
    data = {k: inert(v) if isinstance(v, str) else v for k, v in notice["data"].items()}
    return ctx.t(f"notice.{notice['kind']}", id=notice["entity_id"], **data)


def pick_row(event, ids: list, key: str):
    """The id of the row just clicked in a ``st.dataframe(on_select=…, selection_mode="single-row")``
    whose widget key is ``table_key(key)``, once: the selection is then cleared (the table gets a
    new key), so that a list that changes under it — a live refresh, a new tip on top — never
    re-opens another row at the same position."""
    rows = event.selection.rows if event is not None and getattr(event, "selection", None) else []
    if not rows or rows[0] >= len(ids):
        return None
    st.session_state[key + "_gen"] = st.session_state.get(key + "_gen", 0) + 1
    return ids[rows[0]]


def table_key(key: str) -> str:
    """The current widget key of a table read with :func:`pick_row`."""
    return f"{key}_{st.session_state.get(key + '_gen', 0)}"


# --- small browser helpers (inline components: nothing is fetched from outside the server) ----------

_CHIME_JS = """
export default function(component) {
  const { data } = component;
  window.__portalChime = window.__portalChime || {};
  if (!data || !data.token || window.__portalChime[data.name] === data.token) { return; }
  const first = window.__portalChime[data.name] === undefined;
  window.__portalChime[data.name] = data.token;
  if (first && !data.play_first) { return; }
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    const audio = new Ctx();
    [0, 0.28].forEach((at, i) => {
      const osc = audio.createOscillator(); const gain = audio.createGain();
      osc.type = 'sine'; osc.frequency.value = i ? 1175 : 880; gain.gain.value = 0.12;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.22);
    });
  } catch (e) { /* no sound: the notice on the page is enough */ }
}
"""

_COPY_HTML = """<button type="button" class="portal-copy"></button><span class="portal-copied" aria-live="polite"></span>"""
_COPY_CSS = """
.portal-copy { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid var(--st-border-color, #d5deeb);
  border-radius: 0.4rem; background: var(--st-secondary-background-color, #eef3fa); color: inherit; cursor: pointer;
  min-height: 2.4rem; }
.portal-copied { margin-left: 0.6rem; color: #1a7f37; font-size: 0.9rem; }
"""
_COPY_JS = """
export default function(component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector('.portal-copy');
  const note = parentElement.querySelector('.portal-copied');
  button.textContent = data.label;
  button.onclick = async () => {
    let done = false;
    try { if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(data.text); done = true; } }
    catch (e) { done = false; }
    if (!done) {
      // Plain http on an intranet has no clipboard API: the old way still works there.
      const area = document.createElement('textarea');
      area.value = data.text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select();
      try { done = document.execCommand('copy'); } catch (e) { done = false; }
      document.body.removeChild(area);
    }
    note.textContent = done ? data.done : data.failed;
  };
}
"""

_LOCATE_HTML = """<button type="button" class="portal-locate"></button><div class="portal-locate-note" aria-live="polite"></div>"""
_LOCATE_CSS = """
.portal-locate { font: inherit; padding: 0.45rem 1rem; border: 1px solid var(--st-border-color, #d5deeb);
  border-radius: 0.4rem; background: var(--st-secondary-background-color, #eef3fa); color: inherit; cursor: pointer;
  min-height: 2.6rem; width: 100%; }
.portal-locate-note { margin-top: 0.3rem; font-size: 0.9rem; opacity: 0.8; }
"""
_LOCATE_JS = """
export default function(component) {
  const { data, parentElement, setStateValue } = component;
  const button = parentElement.querySelector('.portal-locate');
  const note = parentElement.querySelector('.portal-locate-note');
  button.textContent = data.label;
  button.onclick = () => {
    if (!navigator.geolocation || !window.isSecureContext) { note.textContent = data.unavailable; return; }
    note.textContent = data.waiting;
    navigator.geolocation.getCurrentPosition(
      (pos) => { note.textContent = data.done;
                 setStateValue('position', {lat: pos.coords.latitude, lon: pos.coords.longitude,
                                            accuracy: pos.coords.accuracy}); },
      () => { note.textContent = data.refused; },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  };
}
"""

_SCROLL_JS = """
export default function(component) {
  const { data } = component;
  window.__portalScroll = window.__portalScroll || {};
  if (!data || !data.token || window.__portalScroll[data.target] === data.token) { return; }
  window.__portalScroll[data.target] = data.token;
  const find = (tries) => {
    const el = document.querySelector('.st-key-' + data.target);
    if (el) { el.scrollIntoView({behavior: 'smooth', block: 'start'}); }
    else if (tries > 0) { setTimeout(() => find(tries - 1), 100); }
  };
  find(20);
}
"""

_components: dict = {}


def _component(name: str, **parts):
    if name not in _components:
        _components[name] = st.components.v2.component(name, **parts)
    return _components[name]


def chime(name: str, token, *, play_first: bool = False) -> None:
    """A short two-note sound when ``token`` changes (e.g. the newest lead's id); silent on the
    page's first draw unless ``play_first``. Browsers may hold sound back until the user has
    clicked in the page once."""
    _component("portal_chime", js=_CHIME_JS)(data={"name": name, "token": token, "play_first": play_first},
                                             key=f"chime_{name}", height=0)


def scroll_to(target_key: str, token) -> None:
    """Bring the container keyed ``target_key`` into view once per ``token`` (e.g. the tip just
    opened below a long queue)."""
    _component("portal_scroll", js=_SCROLL_JS)(data={"target": target_key, "token": str(token)},
                                               key=f"scroll_{target_key}", height=0)


def copy_button(ctx: Context, text: str, label: str, key: str) -> None:
    """A button that copies ``text`` to the clipboard (also on plain http, where the clipboard API
    is missing), and says whether it worked."""
    _component("portal_copy", html=_COPY_HTML, css=_COPY_CSS, js=_COPY_JS)(
        data={"text": text, "label": label, "done": ctx.t("ui.copied"), "failed": ctx.t("ui.copy_failed")},
        key=key, width="content")


def locate_button(ctx: Context, key: str) -> dict | None:
    """A button that asks the phone for its location (with the browser's own consent prompt);
    returns ``{"lat", "lon", "accuracy"}`` once given, else None. Browsers give a location only
    to pages served over https (or from the phone itself)."""
    result = _component("portal_locate", html=_LOCATE_HTML, css=_LOCATE_CSS, js=_LOCATE_JS)(
        data={"label": ctx.t("ui.locate"), "waiting": ctx.t("ui.locate_waiting"), "done": ctx.t("ui.locate_done"),
              "refused": ctx.t("ui.locate_refused"), "unavailable": ctx.t("ui.locate_unavailable")},
        key=key, on_position_change=lambda: None)
    position = getattr(result, "position", None)
    if isinstance(position, dict) and all(isinstance(position.get(k), int | float) for k in ("lat", "lon")):
        return position
    return None


def page_link(ctx: Context, url_path: str, label: str, *, icon: str | None = None,
              query_params: dict | None = None, container=None) -> None:
    """A link to another page of the portal by its url path (pages never import each other: app.py
    hands over the pages it registered), keeping the session — and the login — in the same tab."""
    page = ctx.pages.get(url_path) or (context().pages.get(url_path) if context() else None)
    if page is None:
        return  # not registered for this user (e.g. a role without that page): no dead link
    (container or st).page_link(page, label=label, icon=icon,
                                query_params={k: str(v) for k, v in (query_params or {}).items()} or None)


def query_id(name: str) -> int | None:
    """A positive id from the url's query string (``?push=174``), else None — never a crash on junk."""
    raw = st.query_params.get(name)
    if isinstance(raw, str) and raw.strip().isdecimal():
        value = int(raw.strip())
        if 0 < value < 2**63:
            return value
    return None


def preset_from_url(param: str, key: str, allowed, *, to=None) -> None:
    """``?<param>=ID`` (a link from another page, e.g. the league table's ``?station=7``): set the filter
    widget ``key`` to the id (or to ``to``, e.g. ``True`` for a toggle opened by ``?overdue=1``), once per
    link followed, so the user can still change the filter afterwards. Call before the widget is drawn;
    an id not in ``allowed`` (another scope, junk) is ignored."""
    value = query_id(param)
    if value is not None and value in allowed and st.session_state.get(key + "_param") != value:
        st.session_state[key + "_param"] = value
        st.session_state[key] = value if to is None else to


def tip_alerts(ctx: Context, key: str, *, sound: bool = True) -> list[dict]:
    """New tips worth a notice since this page last looked — a lead on one of the user's active
    appeals, or an urgent tip: each is toasted once (with a sound if ``sound``) and kept in the
    returned list (session state ``key``) until :func:`dismiss_alert`. The first look announces
    nothing: what is already there is not news."""
    from lib.tips import tip_clocks, triage_queue

    state = st.session_state
    seen = state.get(key + "_seen")
    if seen is None:
        state[key + "_seen"] = triage_queue.latest_id(ctx.db, ctx.user)
        return state.setdefault(key, [])
    arrived = triage_queue.arrivals(ctx.db, ctx.user, seen)
    if arrived:
        state[key + "_seen"] = arrived[-1]["id"]
    pending = state.setdefault(key, [])
    fresh = [{k: tip[k] for k in ("id", "kind", "lane", "push_id")} for tip in arrived if triage_queue.is_alert(tip)]
    for tip in fresh:
        icon = ":material/campaign:" if tip["lane"] == tip_clocks.LANE_APPEAL else ":material/priority_high:"
        st.toast(alert_text(ctx, tip), icon=icon, duration="long")
    pending.extend(fresh)
    if fresh and sound:
        chime(key, fresh[-1]["id"], play_first=True)
    return pending


def dismiss_alert(key: str, tip_id: int | None = None) -> None:
    """Forget one alert (opened), or all of them (``tip_id`` None)."""
    st.session_state[key] = [a for a in st.session_state.get(key, []) if tip_id is not None and a["id"] != tip_id]


def alert_text(ctx: Context, tip: dict) -> str:
    """'🚨 协查通报 #174 收到新线索 #123（案件线索）' or '⚠ 紧急线索 #123（民生诉求）'."""
    from lib.tips import tip_clocks, triage_queue

    kind = triage_queue.kinds_label(tip["kind"], ctx.lang)
    if tip["lane"] == tip_clocks.LANE_APPEAL:
        return ctx.t("triage.alert.appeal", id=tip["id"], push=tip["push_id"], kind=kind)
    return ctx.t("triage.alert.urgent", id=tip["id"], kind=kind)
