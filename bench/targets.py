"""Every target of `make bench`, in one table: the figure, its upper bound, and what a user would notice.

A figure passes when its value is at or below its bound; a figure not in the table is information
only. The README's performance section shows this table between its ``bench-targets`` markers:
with the value last measured (bench/results.json): ``make bench`` rewrites it there after measuring,
``python -m bench.targets`` after a target changed, and tests/test_bench_targets.py checks that it matches.
Targets come from ../shared/DESIGN.md and the issues; they are never moved to make a figure pass.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# figure → (bound, unit, what it stands for)
TARGETS: dict[str, tuple[float, str, str]] = {
    # Setting up and the demo
    "demo_build_1x": (5.0, "s", "the demo district generated in memory"),
    "demo_build_10x": (60.0, "s", "the same at ten times the size"),
    "demo_seed_1x": (10.0, "s", "`make run` on an empty database: the demo written, passwords hashed"),
    "demo_seed_10x": (120.0, "s", "the same at ten times the size"),
    # Pages as staff open them
    "login_page_render_1x": (1.0, "s", "the login page drawn"),
    "home_page_render_district_10x": (1.0, "s", "the linkage center's workbench, 30,000 grids"),
    "home_page_render_clerk_10x": (1.0, "s", "a clerk's workbench at 10x"),
    "map_page_render_district_10x": (1.0, "s", "网格地图 for the whole district at 10x"),
    "registry_page_render_district_10x": (1.0, "s", "群组台账 for the whole district at 10x"),
    "triage_page_render_district_1M_tips": (1.0, "s", "线索研判 with a million tips"),
    "home_page_render_district_1M_tips": (1.0, "s", "the workbench with a million tips"),
    "map_page_render_district_1M_tips": (1.0, "s", "the map with a million tips"),
    # Scope, registry, coverage, map
    "scope_summary_district_10x_p95": (500.0, "ms", "the district's figures: 30,000 grids, 27,000 groups"),
    "scope_summary_station_10x_p95": (50.0, "ms", "a station's figures at 10x"),
    "registry_first_page_1x_p95": (50.0, "ms", "the registry's first page, any filter"),
    "registry_first_page_10x_p95": (50.0, "ms", "the same at 10x"),
    "coverage_figures_any_filter_1x_p95": (50.0, "ms", "coverage figures, any filter"),
    "coverage_figures_any_filter_10x_p95": (50.0, "ms", "the same at 10x"),
    "coverage_gap_list_1x_p95": (50.0, "ms", "the list of grids without a group"),
    "coverage_gap_list_10x_p95": (50.0, "ms", "the same at 10x"),
    "map_deck_all_grids_1x_p95": (300.0, "ms", "every grid on the map: query, layers, JSON"),
    "map_deck_all_grids_10x_p95": (300.0, "ms", "the same for 30,000 grids"),
    "map_geometry_cold_build_10x": (1000.0, "ms", "the first map after the grids changed: their shapes rebuilt"),
    "map_payload_all_grids_1x": (5.0, "MB", "what the browser receives for the map"),
    "map_payload_all_grids_10x": (5.0, "MB", "the same for 30,000 grids"),
    # Pushes and their delivery
    "targeting_reach_10x_p95": (20.0, "ms", "groups and members a push would reach, shown while composing"),
    "poster_render_p95": (500.0, "ms", "a poster with two photos and its QR code"),
    "delivery_district_appeal_2700_groups": (60.0, "s", "the linkage center's appeal with a photo reaches 2,700 robot"
                                             " groups over a 100 Mbps uplink, 30 ms from WeCom"),
    "robot_poster_appeal_sent": (200.0, "kB", "an appeal's poster as each group's robot receives it"),
    "delivery_rate_limit_breaches": (0.0, "", "messages WeCom would refuse for going over 20 a minute"),
    "delivery_manual_checklist_2700_p95": (1.0, "s", "the posting checklist of 2,700 groups"),
    # Tips
    "intake_lost": (0.0, "tips", "tips lost while 8 processes submit at once"),
    "intake_locked_errors": (0.0, "", "senders told 'database is locked'"),
    "intake_throughput_shortfall": (0.0, "", "intake at ≥ 50% of raw SQLite at the same durability"),
    "intake_round_spread": (0.5, "", "the rounds agree enough for their median to mean something"),
    "triage_first_page_1M_p95": (50.0, "ms", "the first page of 线索研判 with a million tips, any filter"),
    "triage_scaling_ratio": (2.0, "", "a million tips costs at most twice 10,000"),
    "triage_counts_1M_p95": (500.0, "ms", "the queue's counts (open, overdue) with a million tips"),
    "appeal_lead_to_station_queue_1M_p95": (50.0, "ms", "a lead on an appeal is in the station's queue"),
    "appeal_leads_misrouted": (0.0, "tips", "leads of a station's appeal that went elsewhere"),
    "appeal_lead_missing_from_first_page": (0.0, "tips", "leads of an active appeal not on the queue's first page"),
    "live_refresh_interval": (15.0, "s", "how soon an open page shows what arrived"),
    "server_peak_rss_1M": (500.0, "MB", "a process that ran every queue on a million tips"),
    # Duty (工作清单, 查纠整改)
    "league_district_10x_1M_p95": (300.0, "ms", "数据看板: the 17 stations compared, any range up to a month"),
    "checklist_station_10x_1M_p95": (200.0, "ms", "a station's checklist, 27,000 groups and a million tips"),
    "checklist_district_10x_1M_p95": (1000.0, "ms", "the linkage center's checklist, every station and officer"),
    "checklist_page_render_district_10x_1M": (1.0, "s", "工作清单 drawn for the linkage center"),
    "duty_snapshot_10x_1M": (30.0, "s", "the night's snapshot of every ended period, problems raised"),
    "duty_recheck_open_10x_1M": (5.0, "s", "the worker's minute: every open problem recomputed"),
    # Going live
    "tip_first_visit_bytes_proxy": (1.0, "MB", "a phone's first visit to 线索提交 through nginx"),
    "tip_first_visit_usable_4g_proxy": (3.0, "s", "the form usable on 4G"),
    "tip_first_visit_usable_fast3g_proxy": (8.0, "s", "the form usable on fast 3G"),
    "server_rss_50_staff_sessions": (1024.0, "MB", "the Streamlit server with 50 staff sessions, a million tips"),
    "server_rss_per_added_session": (5.0, "MB", "what one more staff session costs the server"),
}


def target(name: str) -> float | None:
    """The bound of a figure, or None for a figure that is information only."""
    entry = TARGETS.get(name)
    return entry[0] if entry else None


def _with_unit(value, unit: str) -> str:
    return f"{value:g}{(' ' + unit) if unit else ''}"


def markdown(results: dict | None = None) -> str:
    """The table as the README shows it: each target, what it means, and the last measured value
    from ``results`` (bench/results.json by default) with ✅ (met) or ❌ (missed)."""
    results = load_results() if results is None else results
    rows = ["| What a user would notice | Figure | Target | Last measured |", "| --- | --- | --- | --- |"]
    for name, (bound, unit, meaning) in TARGETS.items():
        got = results.get(name)
        measured = "not measured yet" if got is None else (
            f"{_with_unit(got['value'], got.get('unit') or unit)} {'✅' if got['value'] <= bound else '❌'}")
        rows.append(f"| {meaning} | `{name}` | ≤ {_with_unit(bound, unit)} | {measured} |")
    return "\n".join(rows)


RESULTS = Path(__file__).resolve().parent / "results.json"
README = Path(__file__).resolve().parent.parent / "README.md"


def load_results() -> dict:
    """bench/results.json as written by the last ``make bench`` (empty when there is none)."""
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
_BLOCK = re.compile(r"(<!-- bench-targets -->\n)(.*?)(<!-- /bench-targets -->)", re.S)


def readme_table(text: str) -> str | None:
    """The table between the README's markers, or None when the markers are missing."""
    match = _BLOCK.search(text)
    return match.group(2).rstrip("\n") if match else None


def write_readme() -> bool:
    """Rewrite the README's table from the targets and bench/results.json; False without markers."""
    text = README.read_text(encoding="utf-8")
    if readme_table(text) is None:
        return False
    README.write_text(_BLOCK.sub(lambda m: m.group(1) + markdown() + "\n" + m.group(3), text), encoding="utf-8")
    return True


def main() -> int:
    if not write_readme():
        print("README.md has no <!-- bench-targets --> … <!-- /bench-targets --> block", file=sys.stderr)
        return 1
    print(f"{len(TARGETS)} targets written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
