"""The group naming standard (群名规范).

A group is named ``新百千万·<station short name>·<grid name>`` — the program's name, the
station that answers for it (``三星所``), and the grid it serves — with ``（N群）`` after
the grid name for the second and later groups of one grid. The prefix tells a resident
at a glance that the group is run by the police under their real identity.
"""

from __future__ import annotations

import re

PROGRAM_PREFIX = "新百千万"
SEPARATOR = "·"
MAX_LENGTH = 30  # what WeChat shows in a chat list without cutting

_STANDARD = re.compile(
    rf"^{PROGRAM_PREFIX}{SEPARATOR}[\u4e00-\u9fff]{{1,8}}所{SEPARATOR}[^{SEPARATOR}\s]+$"
)


def station_short_name(station_name: str) -> str:
    """``三星派出所`` → ``三星所``; ``水上派出所`` → ``水上所``."""
    return station_name.replace("派出所", "所")


def standard_group_name(station_name: str, grid_name: str, seq: int = 1) -> str:
    """The standard name of the ``seq``-th group of a grid."""
    suffix = "" if seq <= 1 else f"（{seq}群）"
    return f"{PROGRAM_PREFIX}{SEPARATOR}{station_short_name(station_name)}{SEPARATOR}{grid_name}{suffix}"


def is_compliant(name: str) -> bool:
    """True when the name follows the standard and fits in a chat list."""
    return bool(_STANDARD.match(name or "")) and len(name) <= MAX_LENGTH
