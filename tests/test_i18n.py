"""One catalog, two languages: no key missing in either, no key used that is not there."""

import re
from pathlib import Path

import pytest

from lib import i18n, taxonomy

ROOT = Path(__file__).resolve().parent.parent
# A whole key in quotes; a prefix joined at run time ("group_import.field." + field) is skipped.
KEY_USE = re.compile(r"""(?:\bt\(|ctx\.t\(|i18n\.t\(|\berror_text\()\s*["']([a-z_]+\.[a-z0-9_.]*[a-z0-9_])["']""")
ERROR_KEY = re.compile(r"""Error\(\s*["']((?:error|login)\.[a-z0-9_.]+)["']""")


def test_both_languages_have_the_same_keys():
    zh, en = set(i18n.CATALOG["zh"]), set(i18n.CATALOG["en"])
    assert zh - en == set(), f"missing in en: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in zh: {sorted(en - zh)}"


def test_no_message_is_empty_and_placeholders_match():
    for key, zh in i18n.CATALOG["zh"].items():
        en = i18n.CATALOG["en"][key]
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def _used_keys():
    keys = set()
    for path in list(ROOT.glob("*.py")) + list(ROOT.glob("lib/*.py")) + list(ROOT.glob("pages/*.py")):
        text = path.read_text(encoding="utf-8")
        keys |= set(KEY_USE.findall(text)) | set(ERROR_KEY.findall(text))
    return keys


def test_every_key_used_in_the_code_is_in_the_catalog():
    used = _used_keys()
    assert len(used) > 20  # the scan works
    missing = {k for k in used if k not in i18n.CATALOG["zh"]}
    assert missing == set()


def test_role_names_exist_for_every_role():
    for role in taxonomy.codes("roles"):
        assert f"role.{role}" in i18n.CATALOG["zh"]


def test_default_language_is_chinese_and_english_on_request():
    assert i18n.t("nav.home") == "工作台"
    assert i18n.t("nav.home", "en") == "Workbench"
    assert i18n.t("nav.home", "en-US") == "Workbench"
    assert i18n.t("login.locked", "zh", until="10:15").count("10:15") == 1


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
