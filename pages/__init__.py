"""One module per page; each defines ``render()``, registered by app.py with ``st.Page``:
nothing runs at import, and every staff page starts with ``ui.staff_page()``.

Beside them, one **entry shim per url path** (``home.py``, ``tip.py`` …): until
``st.navigation`` has run once in a server process, Streamlit treats ``pages/`` as an
old-style multipage app, so the first request after a restart for ``/tip`` runs
``pages/tip.py`` on its own (without the shim: a "Page not found" dialog over the form
a resident opened from a QR code, or a staff page without its login gate). Each shim just
runs app.py — login, scope and navigation included — so that first request is served like
every other. A test checks that every url path has its shim.
"""
