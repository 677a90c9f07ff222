"""The bench's one table of targets (bench/targets.py): the README shows it as it is, and every
target names a figure the bench produces (a misspelt name would leave a figure unchecked)."""

import ast
import re
from pathlib import Path

from bench import targets

BENCH = Path(targets.__file__).resolve().parent


def figure_names() -> list[re.Pattern]:
    """The name of every Figure(...) the bench's modules make, as patterns (f-strings: any part)."""
    patterns = []
    for path in BENCH.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Figure" and node.args:
                name = node.args[0]
                if isinstance(name, ast.Constant):
                    patterns.append(re.compile(re.escape(name.value)))
                elif isinstance(name, ast.JoinedStr):
                    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[a-z0-9]+" for v in name.values]
                    patterns.append(re.compile("".join(parts)))
    return patterns


def test_the_readme_shows_the_table_of_targets_as_it_is():
    table = targets.readme_table(targets.README.read_text(encoding="utf-8"))
    assert table == targets.markdown(), "run: .venv/bin/python -m bench.targets"


def test_every_target_names_a_figure_the_bench_makes():
    patterns = figure_names()
    assert len(patterns) > 30
    unknown = [name for name in targets.TARGETS if not any(p.fullmatch(name) for p in patterns)]
    assert unknown == []


def test_a_figure_passes_at_or_below_its_bound_and_one_without_a_bound_is_information():
    from bench.common import Figure

    assert Figure("intake_lost", 0, "tips").passed is True
    assert Figure("intake_lost", 1, "tips").passed is False
    assert Figure("server_rss_per_added_session", 5.0, "MB").passed is True
    assert Figure("tips_generate_1M", 1e9, "s").passed is None


def test_the_table_shows_the_last_measured_value_and_whether_it_met_its_target():
    table = targets.markdown({"intake_lost": {"value": 2, "unit": "tips"},
                              "server_rss_per_added_session": {"value": 0.68, "unit": "MB"}})
    rows = {line.split(" | ")[1].strip("`"): line for line in table.splitlines()[2:]}
    assert rows["intake_lost"].endswith("| ≤ 0 tips | 2 tips ❌ |")
    assert rows["server_rss_per_added_session"].endswith("| ≤ 5 MB | 0.68 MB ✅ |")
    assert rows["poster_render_p95"].endswith("| not measured yet |")
