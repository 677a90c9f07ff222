"""One module per page. Each only defines ``render()``, registered by app.py with
``st.Page``: nothing runs at import (a page file opened directly after a server
restart shows nothing), and every staff page starts with ``ui.staff_page()``."""
