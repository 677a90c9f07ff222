"""The message catalog: every UI string, in Simplified Chinese (default) and English.

The texts live in lib/i18n/messages/ (one module per domain, each key with both languages
side by side). Pages call ``t(key, lang, **params)``; tests/test_i18n.py fails when a key used in
the code (or a member of a key family built at run time) is missing, a key is used nowhere, a text
is empty or the two languages' placeholders differ.

A text that cannot be formatted with the parameters given (a placeholder without its value) is
shown unformatted and logged in production; under the tests (``PORTAL_I18N_STRICT=1``, set by
tests/conftest.py) it raises.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from lib.core import taxonomy
from lib.i18n import messages

log = logging.getLogger("portal.i18n")
STRICT_ENV = "PORTAL_I18N_STRICT"

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
"""{language: {key: text}}, assembled from lib/i18n/messages/*.py."""


def normalize_lang(lang: str | None) -> str:
    """``"en"`` for any English request, else the default Chinese."""
    return "en" if (lang or "").lower().startswith("en") else DEFAULT_LANG


@dataclass(frozen=True)
class Msg:
    """A parameter that is itself a message key: :func:`t` puts in its text in the language of
    the message it goes into (a field's label inside an error, say). Not a ``str``, so that code
    making quoted user input inert leaves it alone."""

    key: str

    def __str__(self) -> str:
        return self.key


def _strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message ``key`` in ``lang``, formatted with ``params`` (a :class:`Msg` parameter is
    looked up in ``lang`` first).

    A missing key shows as the key itself (never a crash in front of a user); the
    catalog test keeps that from shipping. A text that cannot be formatted with ``params`` is
    logged and shown unformatted, or raises under ``PORTAL_I18N_STRICT=1`` (the tests).
    """
    lang = normalize_lang(lang)
    text = CATALOG[lang].get(key) or CATALOG[DEFAULT_LANG].get(key) or key
    if params:
        params = {k: t(v.key, lang) if isinstance(v, Msg) else v for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            if _strict():
                raise
            log.warning("message %s (%s) not formatted: %r", key, lang, exc)
            return text
    return text


def join(items, lang: str | None = DEFAULT_LANG) -> str:
    """A list of names in running text: "三星、海门" in Chinese, "Sanxing, Haimen" in English."""
    return t("ui.list_separator", lang).join(str(i) for i in items)


def localized(row: dict, field: str, lang: str | None = DEFAULT_LANG) -> str:
    """A row's name in ``lang``: ``row[field + "_en"]`` for English when it has one, else ``row[field]``
    (the Chinese name, which every row has)."""
    if normalize_lang(lang) == "en" and row.get(f"{field}_en"):
        return row[f"{field}_en"]
    return row[field]


def error_text(exc, lang: str | None) -> str:
    """The user-facing text of a :class:`lib.core.errors.PortalError`."""
    return t(exc.key, lang, **getattr(exc, "params", {}))


def term(name: str, code: str | None, lang: str | None) -> str:
    """Display name of a taxonomy code (grid category, label …) in ``lang``."""
    return taxonomy.label(name, code, normalize_lang(lang))
