"""Entry shim for /appeals: runs app.py (see pages/__init__.py)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
