"""The message catalog: every UI string, in Simplified Chinese (default) and English.

The texts live in lib/messages/ (one module per domain, each key with both languages
side by side). Pages call ``t(key, lang, **params)``; a test fails when a key is missing in either
language or a key used in the code is not in the catalog.
"""

from __future__ import annotations

from lib import messages, taxonomy

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

def _build_catalog() -> dict[str, dict[str, str]]:
    catalog: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
    for module in messages.MODULES:
        for key, (zh, en) in module.MESSAGES.items():
            if key in catalog["zh"]:
                raise ValueError(f"message key defined twice: {key}")
            catalog["zh"][key] = zh
            catalog["en"][key] = en
    return catalog


CATALOG = _build_catalog()
"""{language: {key: text}}, assembled from lib/messages/*.py."""


def normalize_lang(lang: str | None) -> str:
    """``"en"`` for any English request, else the default Chinese."""
    return "en" if (lang or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``.

    A missing key shows as the key itself (never a crash in front of a user); the
    catalog test keeps that from shipping.
    """
    messages = CATALOG[normalize_lang(lang)]
    text = messages.get(key) or CATALOG[DEFAULT_LANG].get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def error_text(exc, lang: str | None) -> str:
    """The user-facing text of a :class:`lib.errors.PortalError`."""
    return t(exc.key, lang, **getattr(exc, "params", {}))


def term(name: str, code: str | None, lang: str | None) -> str:
    """Display name of a taxonomy code (grid category, label …) in ``lang``."""
    return taxonomy.label(name, code, normalize_lang(lang))
