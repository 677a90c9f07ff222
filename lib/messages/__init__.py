"""The message catalog, one module per domain: each defines
``MESSAGES = {key: (zh-CN text, en text)}``. Keys are ``<area>.<name>``; a key may be
defined once only (a test checks)."""

from lib.messages import core

MODULES = [core]
