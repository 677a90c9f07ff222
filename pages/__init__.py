"""The pages: one module per url path, named after it (``pages/triage.py`` serves ``/triage``).

Each module defines ``render()``, which app.py registers with ``st.Page(render, url_path=…)``.
Nothing runs at import; every staff page starts with ``ui.staff_page()``, public ones with
``ui.public_page()``. No page imports another page: the sub-views pages share live in
``lib/ui/`` (the import tabs in lib/ui/ui_imports.py, a mediation party's inputs in
lib/ui/ui_parties.py).

**The guard at the bottom of every module**, ``if __name__ == "__main__": ui.run_app()``.
A ``pages/`` folder beside app.py puts a fresh Streamlit 1.67 server in the old multipage mode
until ``st.navigation`` has run once in the process (``PagesManager.uses_pages_directory``,
set when the first session starts and cleared only by ``st.navigation``: pages_manager.py ~60,
script_runner.py ~933, navigation.py ~399). In that mode the first request for ``/triage``
runs ``pages/triage.py`` itself: ``_mpa_v1`` lists ``pages/*.py`` (not ``__init__.py``) and
``Page.run`` executes the file in a new module named ``__main__`` (navigation/page.py ~569–575),
as Streamlit does with every script. The guard hands that run to app.py (``lib.ui.ui.run_app``:
runpy, as ``__main__``), so the first request after a restart gets the login, the scope and the
navigation like every other; app.py then imports the module as ``pages.triage`` (there the guard
does nothing) and registers its ``render``. After that run the process is in ``st.navigation``
mode and never executes a page file again.

Why this way: a file per url is what Streamlit runs, so the page itself must be that file (shims
beside the pages gave every page two names); ``__name__`` is the one thing that tells Streamlit's
run of the file from app.py's import of it, before any page code runs; and the page stays a plain
module with no work at import. Hiding the old sidebar (``client.showSidebarNavigation``) would not
help: the file still runs. ``ui.staff_page()`` also shows nothing when ``render()`` is called
without app.py's context, as a second line.

**Default pages.** Two registered pages are served only at the app root ``/``: the login page
(url path ``login``, the default when logged out) and, when logged in, a hidden second
registration of the workbench (url path ``start``, ``home.render``) so that the workbench keeps
its own ``/home``. Streamlit gives a default page the pathname ``""``: ``/login`` and ``/start``
are not urls anyone can open (Streamlit answers them with "Page not found" over the default page,
on a fresh server as on a warm one), and on a fresh server ``/`` runs app.py itself. So ``start``
has no module, and ``login.py`` is here because the login page is a page of its own.

AppTest resets that flag on every run (app_test.py ~666), so from their second run AppTest page
tests go through the guard; tests/test_browser.py proves the production path: a fresh server whose
first request is a page's url.
"""
