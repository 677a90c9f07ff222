"""Foundation figures: demo generation, login page and home page render, scope summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.common import Env, Figure, p95, repeat, timed
from lib.core import auth
from lib.core.db import connect
from lib.demo import demo
from lib.grids import coverage

ROOT = Path(__file__).resolve().parent.parent


def render_seconds(db_path: Path, username: str | None, url_path: str | None = None) -> float:
    """Seconds of one AppTest run of a page of the portal (after a warm-up run)."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    os.environ["PORTAL_DB"] = str(db_path)
    # Streamlit's script runner installs the script as sys.modules["__main__"]; a process spawned
    # later (the intake bench's pool) would re-run app.py as its own __main__. Put ours back.
    main = sys.modules["__main__"]
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if username:
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
        at.run()
        if url_path:
            at._page_hash = calc_hash(url_path)  # a page registered by st.navigation
            at.run()
        assert not at.exception, at.exception
        seconds, _ = timed(at.run)
    finally:
        sys.modules["__main__"] = main
    return seconds


def run(env: Env) -> list[Figure]:
    figures = []
    # Generation in memory, then seeding into a database, at both scales.
    gen_1x, _ = timed(demo.build, scale=1)
    figures.append(Figure("demo_build_1x", round(gen_1x, 3), "s"))
    gen_10x, _ = timed(demo.build, scale=10)
    figures.append(Figure("demo_build_10x", round(gen_10x, 3), "s"))

    db10 = connect(env.db_10x)
    district = auth.load_user(db10, "district")
    clerk = auth.load_user(db10, "clerk")
    samples = repeat(lambda: coverage.scope_summary(db10, district), 10)
    figures.append(Figure("scope_summary_district_10x_p95", round(p95(samples) * 1000, 1), "ms",
                          "whole district at 10x: 30,000 grids, 27,000 groups"))
    samples = repeat(lambda: coverage.scope_summary(db10, clerk), 30)
    figures.append(Figure("scope_summary_station_10x_p95", round(p95(samples) * 1000, 1), "ms"))

    figures.append(Figure("login_page_render_1x", round(render_seconds(env.db_1x, None), 3), "s"))
    figures.append(Figure("home_page_render_district_10x", round(render_seconds(env.db_10x, "district"), 3), "s"))
    figures.append(Figure("home_page_render_clerk_10x", round(render_seconds(env.db_10x, "clerk"), 3), "s"))
    return figures
