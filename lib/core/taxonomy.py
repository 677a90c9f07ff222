"""Reference taxonomies (grid categories, labels, push categories …), checked in as
``data/taxonomies.json`` with zh-CN and en names."""

from __future__ import annotations

import functools
import json

from lib.core.db import ROOT

TAXONOMY_FILE = ROOT / "data" / "taxonomies.json"


@functools.cache
def _load() -> dict[str, list[dict]]:
    with open(TAXONOMY_FILE, encoding="utf-8") as f:
        return json.load(f)


def terms(name: str) -> list[dict]:
    """All terms of one taxonomy, in display order."""
    return _load()[name]


def codes(name: str) -> list[str]:
    """The codes of one taxonomy, in display order."""
    return [t["code"] for t in terms(name)]


def label(name: str, code: str | None, lang: str = "zh") -> str:
    """Display name of a code in ``lang`` ("zh" or "en"); the code itself if unknown."""
    if code is None:
        return ""
    for term in terms(name):
        if term["code"] == code:
            return term["zh" if lang.startswith("zh") else "en"]
    return code


def is_code(name: str, code: str | None) -> bool:
    """True when ``code`` belongs to the taxonomy."""
    return code in codes(name)
