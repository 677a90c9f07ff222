"""One catalog, two languages, and checks that fail when it drifts from the code.

The catalog is built from (zh, en) pairs, so both languages always have the same keys; what can
go wrong is elsewhere, and is checked here:

- a key the code uses is not in the catalog (a literal key, or a member of a key *family* the code
  builds at run time, such as ``ctx.t(f"tips.state.{state}")``: every member the code can produce
  is listed in :data:`FAMILIES`, from the tables the code takes it from);
- a key in the catalog is used nowhere (dead);
- a text is empty, does not parse as a format string, or its placeholders differ between zh and en;
- a call passes fewer parameters than its text needs;
- a text that cannot be formatted is swallowed in the tests (it raises; production logs it).
"""

from __future__ import annotations

import ast
import itertools
import logging
import re
import string
from functools import cache
from pathlib import Path

import pytest

from lib.core import notices, taxonomy
from lib.core.errors import ValidationError
from lib.duty import checklist, periods, problems
from lib.duty.measures import AREAS as DUTY_AREAS
from lib.duty.measures import MEASURES as DUTY_MEASURES
from lib.duty.measures import SCOPES as DUTY_SCOPES
from lib.grids import boundary_file, coverage_map, group_import, groups
from lib.i18n import i18n
from lib.mediation import mediation, timezones
from lib.pushes import appeals, pushes
from lib.reports import league, trends
from lib.tips import experts, tips
from lib.ui import ui_imports

ROOT = Path(__file__).resolve().parent.parent
ZH, EN = i18n.CATALOG["zh"], i18n.CATALOG["en"]
AREAS = {key.split(".")[0] for key in ZH}
KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
FILE_NAME = re.compile(r".+\.(?:json|py|toml|svg|db|csv|xlsx|png|jpg)")  # "experts.json" has a key's shape

TIP_STATES = tuple(dict.fromkeys(s for froms, to in tips.TRANSITIONS.values() for s in (*froms, to)))
RULE_CLOCKS = ("sla", "res")  # pages: the tip rules page's two clocks (first response, resolution)

# Every key family the code builds at run time → the values it fills in. From the code's own tables
# where it has one; a tuple written out here mirrors a table local to a page (named in the comment).
FAMILIES: dict[str, tuple] = {
    "role.{}": tuple(taxonomy.codes("roles")),
    "notice.{}": notices.KINDS,
    "tips.state.{}": TIP_STATES,
    "tips.priority.{}": tips.PRIORITIES,
    "tips.channel.{}": tips.CHANNELS,
    "tip.kind_help.{}": tips.KINDS,
    "track.state.{}": TIP_STATES,
    "track.state_help.{}": TIP_STATES,
    "triage.filter.state_{}": ("open", "all"),
    "triage.action.{}": tuple(tips.TRANSITIONS),
    "triage.action_help.{}": tuple(a for a in tips.TRANSITIONS if a != "mark_duplicate"),  # merging: own panel
    "triage.reason_placeholder.{}": tips.NEEDS_REASON,
    # the triage page's table columns (its _columns, the export's included)
    "triage.col.{}": ("flag", "id", "sla", "priority", "kind", "state", "description", "place", "station",
                      "assignee", "created", "resolve", "channel", "push", "due"),
    # tip events the triage page shows without a text of their own (tip_events.kind, migrations.py)
    "triage.event.{}": ("assign", "note", "reply", "priority", "callback", "addition"),
    "rules.{}.title": RULE_CLOCKS,
    "rules.{}.edit": RULE_CLOCKS,
    "rules.{}.minutes_help": RULE_CLOCKS,
    "rules.{}.save": RULE_CLOCKS,
    "rules.{}.saved": RULE_CLOCKS,
    "experts.field.{}": experts.FIELDS,
    "pushes.state.{}": pushes.STATES,
    # the push log's history actions (HISTORY_ACTIONS): the transitions and the other audited writes
    "review.action.{}": ("create", "save_draft", "add_photo", "remove_photo", "submit", "approve", "reject",
                         "revise", "schedule", "send", "start", "finish", "withdraw", "create_deliveries",
                         "close_appeal"),
    "board.outcome.{}": (*appeals.OUTCOMES, "expired"),  # "expired" is the worker's
    "board.follow_up.{}": tuple(appeals.FOLLOW_UP),
    "group_import.action.{}": ui_imports.REPORT_ACTIONS,
    "group_import.field.{}": group_import.FIELDS,
    "import.grids.field.{}": boundary_file.PROPERTIES,
    "import.verdict.{}": ui_imports.VERDICTS,
    "import.grids.mode.{}": ui_imports.GRID_MODES,
    "grid_import.{}_{}": tuple(itertools.product(("population", "households"), ("invalid", "negative"))),
    "map.measure.{}": coverage_map.MEASURES,
    "registry.status.{}": groups.STATUSES,
    "registry.edit.{}": tuple("grid" if f == "grid_id" else f.replace("_user_id", "") for f in groups.EDITABLE),
    # the registry page's table columns (its _columns)
    "registry.col.{}": ("id", "name", "standard", "grid", "grid_code", "category", "station", "outpost", "platform",
                        "owner", "owner_username", "admin", "admin_phone", "members", "created_on", "status",
                        "webhook"),
    "mediation.state.{}": mediation.STATES,
    "mediation.filter.state_{}": ("open", "all"),
    "mediation.action.{}": mediation.MOVES,
    "mediation.action_help.{}": mediation.MOVES,
    "mediation.outcome_label.{}": mediation.NEEDS_OUTCOME,
    "mediation.reason_placeholder.{}": mediation.NEEDS_REASON,
    "mediation.role.{}": mediation.ROLES,
    "mediation.platform.{}": mediation.PLATFORMS,
    "mediation.language.{}": mediation.LANGUAGES,
    "mediation.country.{}": tuple(timezones.COUNTRY_ZONES),
    "mediation.session.{}": ("planned", *mediation.SESSION_RESULTS),
    # case events the mediation page shows without a text of their own (its _event_what)
    "mediation.event.{}": ("created", "mediator", "party_added", "party_updated"),
    # the mediation page's tables: cases, parties, sessions
    "mediation.col.{}": ("case_no", "title", "type", "state", "parties", "abroad", "next", "mediator", "station",
                         "updated"),
    "mediation.party_col.{}": ("role", "name", "country", "local", "flag", "zone", "language", "phone", "note"),
    "mediation.session_col.{}": ("at", "duration", "platform", "room", "state", "note"),
    "duty.area.{}": DUTY_AREAS,
    "duty.status.{}": checklist.STATUSES,
    "duty.scope.{}": (*DUTY_SCOPES, "group", "grid"),  # a problem's subject may be a group or a grid
    "duty.period.{}": periods.PERIODS,
    "duty.period_name.{}": periods.PERIODS,
    "duty.measure.{}": tuple(DUTY_MEASURES),
    "duty.unit.{}": tuple({m.unit for m in DUTY_MEASURES.values()}),
    "duty.direction.{}": ("at_least", "at_most"),
    # the columns of each measure's records (lib/duty/measures.py), ids hidden by the checklist page
    "duty.col.{}": ("group_name", "grid", "grid_code", "owner", "admin", "members", "members_updated",
                    "last_delivered", "delivered", "category", "population", "coverage", "tip", "kind", "due",
                    "answered", "push", "closed", "rating", "ratings", "severity"),
    "checklist.behind.{}": DUTY_SCOPES,
    "checklist.metric.{}": checklist.STATUSES,
    # the checklist page's item table and the pages its SOURCE_PAGES link to
    "checklist.col.{}": ("status", "area", "standard", "subject", "period", "figure", "target", "pace"),
    "checklist.open_page.{}": ("registry", "map", "triage", "pushes", "situations"),
    # the standards tab's table and form (pages/checklist.py, FORM_FIELDS)
    "standards.col.{}": ("code", "area", "text", "measure", "scope", "period", "threshold", "fix_days", "since",
                         "pending"),
    "standards.field.{}": ("threshold", "period", "scope", "fix_days", "days", "text_zh", "text_en"),
    "problems.state.{}": problems.STATES,
    "problems.source.{}": ("checklist", "inspection"),
    "problems.metric.{}": ("open", "overdue", "escalated", "explaining", "mine"),
    "problems.col.{}": ("id", "state", "area", "title", "subject", "station", "figure", "owner", "due", "escalated"),
    # the audited actions a problem's history names (pages/problems.py, ACTIONS)
    "problems.history.{}": ("create", "missed_again", "rectifying", "verified", "explain", "explained",
                            "explanation_declined", "escalate"),
    "problems.inspection.{}": ("station", "area", "title", "detail", "days", "photo"),
    "league.col.{}": tuple(k for k, _ in league.COLUMNS),
    "league.range.{}": league.RANGES,
    "league.by.{}": ("outpost", "officer"),
    "league.name.{}": league.BY,
    "trends.col.{}": ("week", *trends.SERIES),
}

# Keys in the catalog that no code names (keep this short, and say why).
NOT_IN_CODE: set[str] = set()

# Texts with placeholders that are shown unformatted on purpose.
UNFORMATTED = {"map.tooltip"}  # pydeck fills {n} … from each grid

# Parameters an error class adds itself to those it is given.
SUPPLIED = {"RateLimited": {"minutes"}}  # from retry_after_s


# --- the scan ----------------------------------------------------------------------------


def _sources() -> list[Path]:
    files = [ROOT / "app.py", *(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    return sorted(p for p in files if p.exists() and "messages" not in p.relative_to(ROOT).parts)


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _pattern(node: ast.AST) -> str | None:
    """An f-string or a ``"a." + b`` chain as a pattern with ``{}`` for what is filled in at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """PortalError and every class of the code derived from it: their first argument is a key."""
    bases = {n.name: {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in n.bases}
             for tree in trees.values() for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    found = {"PortalError"}
    while True:
        more = {name for name, b in bases.items() if b & found} - found
        if not more:
            return found
        found |= more


@cache
def scan() -> dict:
    """What the code names: literal keys (key → places), key families (pattern → places), and
    the literal ``t(...)`` calls with the keyword parameters they pass."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in _sources()}
    errors = _error_classes(trees)
    literal: dict[str, list[str]] = {}
    families: dict[str, list[str]] = {}
    calls: list[tuple[str, str, set[str] | None]] = []
    for path, tree in trees.items():
        name = str(path.relative_to(ROOT))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        key_args: set[int] = set()  # id() of the nodes a call takes as a message key
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee, key = _callee(node), None
            if (callee in ("t", "error_text") or callee in errors) and node.args:
                key = node.args[0]
            elif callee == "add" and getattr(node.func.value, "id", "") == "errors" and len(node.args) > 1:
                key = node.args[1]  # TipErrors / FieldErrors: add(field, key, **params)
            if key is None:
                continue
            key_args.add(id(key))
            if callee != "error_text" and isinstance(key, ast.Constant) and isinstance(key.value, str):
                # the parameters the text will be formatted with: the keywords (an error's field is
                # where the form shows it, not a parameter)
                passed = None if any(k.arg is None for k in node.keywords) else (
                    {k.arg for k in node.keywords} - ({"field"} if callee in errors else set())
                    | SUPPLIED.get(callee, set()))
                calls.append((f"{name}:{node.lineno}", key.value, passed))
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            parent = parents.get(node)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if isinstance(parent, ast.JoinedStr) or (isinstance(parent, ast.BinOp) and _pattern(parent)):
                    continue  # part of a pattern
                text = node.value
                shaped = KEY_SHAPE.fullmatch(text) and text.split(".")[0] in AREAS and not FILE_NAME.fullmatch(text)
                if shaped or id(node) in key_args:
                    literal.setdefault(text, []).append(where)
            elif isinstance(node, ast.JoinedStr | ast.BinOp):
                if isinstance(parent, ast.BinOp) and _pattern(parent) is not None:
                    continue  # the whole chain is looked at once
                pattern = _pattern(node)
                if pattern is None or "{}" not in pattern:
                    continue
                head = pattern.split("{}")[0]
                if (KEY_SHAPE.match(head) or re.fullmatch(r"[a-z_]+\.", head)) and head.split(".")[0] in AREAS:
                    families.setdefault(pattern, []).append(where)
    return {"literal": literal, "families": families, "calls": calls}


def family_keys(pattern: str) -> set[str]:
    return {pattern.format(*(m if isinstance(m, tuple) else (m,))) for m in FAMILIES[pattern]}


def used_keys() -> set[str]:
    return set(scan()["literal"]) | {k for pattern in FAMILIES for k in family_keys(pattern)}


def placeholders(text: str) -> set[str]:
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- the checks --------------------------------------------------------------------------


def test_the_scan_finds_the_code_s_keys_and_families():
    found = scan()
    assert len(found["literal"]) > 500 and len(found["families"]) > 30
    assert "tips.error.kind" in found["literal"]  # errors.add(..., key)
    assert "pushes.field.wanted.reward" in found["literal"]  # a table of keys
    assert "tips.state.{}" in found["families"] and "pushes.state.{}" in found["families"]  # f-string, "a." + b


def test_every_key_used_in_the_code_is_in_the_catalog():
    missing = {key: places for key, places in scan()["literal"].items() if key not in ZH}
    assert missing == {}


def test_every_family_the_code_builds_is_declared_with_its_members():
    """A new f-string key needs a line in FAMILIES; a line whose code is gone goes too."""
    found = scan()["families"]
    assert {p: places for p, places in found.items() if p not in FAMILIES} == {}
    assert set(FAMILIES) - set(found) == set()


@pytest.mark.parametrize("pattern", sorted(FAMILIES))
def test_every_member_of_a_key_family_is_in_the_catalog(pattern):
    members = family_keys(pattern)
    assert members, pattern
    assert sorted(members - set(ZH)) == []


def test_no_dead_keys():
    dead = set(ZH) - used_keys() - NOT_IN_CODE
    assert sorted(dead) == []
    assert NOT_IN_CODE <= set(ZH)  # the allow-list names keys that exist


def test_no_text_is_empty():
    assert [k for k in ZH if not ZH[k].strip() or not EN[k].strip()] == []


def test_placeholders_match_between_the_languages():
    differ = {k: (placeholders(ZH[k]), placeholders(EN[k])) for k in ZH if placeholders(ZH[k]) != placeholders(EN[k])}
    assert differ == {}


def test_each_call_passes_the_parameters_its_text_needs():
    """``t("key", name=…)``, ``raise ValidationError("key", field=…, name=…)``, ``errors.add(field,
    "key", name=…)`` with a literal key and no ``**params``: every placeholder has a value (``t``
    formats only when given parameters, so a call with none must have a text with none)."""
    short = []
    for where, key, passed in scan()["calls"]:
        if passed is None or key not in ZH or key in UNFORMATTED:
            continue
        lacking = placeholders(ZH[key]) - passed
        if lacking:
            short.append((where, key, sorted(lacking)))
    assert short == []


def test_default_language_is_chinese_and_english_on_request():
    assert i18n.t("nav.home") == "工作台"
    assert i18n.t("nav.home", "en") == "Workbench"
    assert i18n.t("nav.home", "en-US") == "Workbench"
    assert i18n.t("login.locked", "zh", until="10:15").count("10:15") == 1


def test_a_message_parameter_is_put_in_in_the_same_language():
    missing = ValidationError("pushes.error.field_missing", label=i18n.Msg("pushes.field.wanted.reward"))
    assert i18n.error_text(missing, "zh") == "请填写“悬赏金额”。"
    assert i18n.error_text(missing, "en") == "Fill in “Reward”."


def test_a_text_that_cannot_be_formatted_raises_in_the_tests(monkeypatch):
    assert i18n._strict()  # set by tests/conftest.py for the whole session
    with pytest.raises(KeyError):
        i18n.t("login.locked", "zh", when="10:15")  # the text wants {until}


def test_in_production_it_is_logged_and_shown_unformatted(monkeypatch, caplog):
    monkeypatch.delenv(i18n.STRICT_ENV, raising=False)
    with caplog.at_level(logging.WARNING, logger="portal.i18n"):
        text = i18n.t("login.locked", "en", when="10:15")
    assert text == EN["login.locked"] and "{until}" in text
    assert "login.locked" in caplog.text


def test_role_names_exist_for_every_role():
    for role in taxonomy.codes("roles"):
        assert f"role.{role}" in ZH


@pytest.mark.parametrize("name,count", [
    ("grid_categories", 5), ("section_labels", 35), ("industry_labels", 86), ("push_categories", 9),
    ("tip_kinds", 4), ("duty_areas", 5), ("platforms", 3), ("unit_kinds", 3), ("roles", 3),
])
def test_taxonomies_have_the_programs_counts_in_both_languages(name, count):
    terms = taxonomy.terms(name)
    assert len(terms) == count
    for field in ("code", "zh", "en"):
        values = [t[field] for t in terms]
        assert all(values) and len(set(values)) == count, field


def test_dispute_types_exist():
    assert len(taxonomy.terms("dispute_types")) >= 8
